using Acs.Core.Administration;
using Acs.Core.Rollover;
using Acs.Core.Tenants;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Acs.Api.Admin;

/// <summary>Tenants themselves: create, list, read and delete, under <c>/admin/tenants</c>.</summary>
public static class TenantAdminEndpoints
{
    public const string Tag = "Tenant administration";

    internal static void MapTenantAdminEndpoints(this RouteGroupBuilder tenants)
    {
        tenants.MapPost("/", CreateTenant).ValidateBody<CreateTenantRequest>()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Creates a tenant (a company site on its own subdomain).");
        tenants.MapGet("/", ListTenants)
            .WithSummary("Lists tenants by subdomain, paged with offset and limit.");
        tenants.MapGet("/{subdomain}", GetTenant).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Reads a tenant with its URLs for the IdP and its SSO configuration.");
        tenants.MapDelete("/{subdomain}", DeleteTenant).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Deletes a tenant and everything it owns: SSO, members, sessions, login events.");
    }

    internal static async Task<Results<Created<TenantResponse>, ProblemHttpResult>> CreateTenant(
        JsonBody<CreateTenantRequest> body, TenantAdministration tenants, AdminViews views, CancellationToken cancellationToken)
    {
        var result = await tenants.CreateAsync(body.Value!, cancellationToken);
        return result.Error is { } error
            ? AdminProblems.From(error)
            : TypedResults.Created($"/admin/tenants/{result.Value!.Subdomain}", views.Tenant(result.Value));
    }

    internal static async Task<Results<Ok<PageResponse<TenantResponse>>, ValidationProblem>> ListTenants(
        string? offset, string? limit, IValidator<PagingRequest> validator, TenantAdministration tenants, AdminViews views,
        CancellationToken cancellationToken)
    {
        var paging = new PagingRequest(offset, limit);
        if (await validator.CheckAsync(paging, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        return TypedResults.Ok(views.Tenants(await tenants.ListAsync(paging.OffsetValue, paging.LimitValue, cancellationToken)));
    }

    internal static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> GetTenant(
        string subdomain, TenantAdministration tenants, RolloverAdministration rollover, AdminViews views, CancellationToken cancellationToken)
    {
        var result = await tenants.GetAsync(subdomain, cancellationToken);
        return result.Error is { } error
            ? AdminProblems.From(error)
            : TypedResults.Ok(views.Tenant(result.Value!, await rollover.SourceOfAsync(result.Value!.Id, cancellationToken)));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteTenant(
        string subdomain, TenantAdministration tenants, CancellationToken cancellationToken) =>
        await tenants.DeleteAsync(subdomain, cancellationToken) is { } error ? AdminProblems.From(error) : TypedResults.NoContent();
}
