using Acs.Core.Members;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Acs.Api.Admin;

/// <summary>Team members of a tenant: the "Team Members" page of the product's administration.</summary>
public static class MemberAdminEndpoints
{
    internal static void MapMemberAdminEndpoints(this RouteGroupBuilder tenants)
    {
        var members = tenants.MapGroup("/{subdomain}/members").ProducesProblem(StatusCodes.Status404NotFound);
        members.MapGet("/", ListMembers)
            .WithSummary("Lists the tenant's members, oldest first; ?email= filters by a part of the address (any case).");
        members.MapPost("/", CreateMember).ValidateBody<NewMemberRequest>().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Adds a member before their first sign-in; SSO links them by e-mail.");
        members.MapGet("/{id:guid}", GetMember).WithSummary("Reads one member.");
        members.MapPatch("/{id:guid}", ChangeMember).ValidateBody<MemberChangeRequest>()
            .WithSummary("Changes a member's role and/or status; disabling ends their sessions.");
        members.MapDelete("/{id:guid}", DeleteMember).WithSummary("Deletes a member and ends their sessions.");
    }

    internal static async Task<Results<Ok<PageResponse<MemberResponse>>, ValidationProblem, ProblemHttpResult>> ListMembers(
        string subdomain, string? email, string? offset, string? limit, IValidator<MemberQuery> validator, MemberAdministration members,
        CancellationToken cancellationToken)
    {
        var query = new MemberQuery(email, offset, limit);
        if (await validator.CheckAsync(query, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        var result = await members.ListAsync(subdomain, query, cancellationToken);
        return result.Error is { } error ? AdminProblems.From(error) : TypedResults.Ok(AdminViews.Members(result.Value!));
    }

    internal static async Task<Results<Created<MemberResponse>, ProblemHttpResult>> CreateMember(
        string subdomain, JsonBody<NewMemberRequest> body, MemberAdministration members, CancellationToken cancellationToken)
    {
        var result = await members.CreateAsync(subdomain, body.Value!, cancellationToken);
        return result.Error is { } error
            ? AdminProblems.From(error)
            : TypedResults.Created($"/admin/tenants/{subdomain}/members/{result.Value!.Id}", AdminViews.Member(result.Value));
    }

    internal static async Task<Results<Ok<MemberResponse>, ProblemHttpResult>> GetMember(
        string subdomain, Guid id, MemberAdministration members, CancellationToken cancellationToken)
    {
        var result = await members.GetAsync(subdomain, id, cancellationToken);
        return result.Error is { } error ? AdminProblems.From(error) : TypedResults.Ok(AdminViews.Member(result.Value!));
    }

    internal static async Task<Results<Ok<MemberResponse>, ProblemHttpResult>> ChangeMember(
        string subdomain, Guid id, JsonBody<MemberChangeRequest> body, MemberAdministration members, CancellationToken cancellationToken)
    {
        var result = await members.ChangeAsync(subdomain, id, body.Value!, cancellationToken);
        return result.Error is { } error ? AdminProblems.From(error) : TypedResults.Ok(AdminViews.Member(result.Value!));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteMember(
        string subdomain, Guid id, MemberAdministration members, CancellationToken cancellationToken) =>
        await members.DeleteAsync(subdomain, id, cancellationToken) is { } error ? AdminProblems.From(error) : TypedResults.NoContent();
}
