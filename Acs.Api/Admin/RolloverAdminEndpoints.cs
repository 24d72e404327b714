using Acs.Api.Rollover;
using Acs.Core.Administration;
using Acs.Core.Rollover;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Acs.Api.Admin;

/// <summary>Metadata refresh and its audit trail: the refresh state, the pending entity ID or SSO URL change, audit events, expiring certificates.</summary>
public static class RolloverAdminEndpoints
{
    internal static void MapRolloverAdminEndpoints(this RouteGroupBuilder tenants)
    {
        var sso = tenants.MapGroup("/{subdomain}/sso").ProducesProblem(StatusCodes.Status404NotFound);
        sso.MapGet("/metadata", GetMetadata).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Reads the metadata URL's refresh state: last attempt and success, last error, next refresh, the pending change.");
        sso.MapPost("/metadata/refresh", RefreshMetadata).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Fetches and reconciles the metadata now, outside the schedule.");
        sso.MapPost("/pending-change/apply", ApplyPendingChange).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Accepts the entity ID / SSO URL change the metadata names, then refreshes (its certificates come in).");
        sso.MapPost("/pending-change/dismiss", DismissPendingChange).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Keeps the trusted entity ID and SSO URL; the same change is not raised again.");
        tenants.MapGet("/{subdomain}/audit-events", ListAuditEvents).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Lists changes to the tenant's trust, newest first: who (admin_api, metadata_refresh), what, when.");
    }

    internal static void MapCertificateAdminEndpoints(this RouteGroupBuilder admin) =>
        admin.MapGet("/certificates", ListCertificates).ProducesProblem(StatusCodes.Status400BadRequest)
            .WithSummary("Lists trusted IdP certificates across tenants that are expiring or expired (?status=expiring|expired), soonest first.");

    internal static async Task<Results<Ok<MetadataRefreshResponse>, ProblemHttpResult>> GetMetadata(
        string subdomain, RolloverAdministration rollover, CancellationToken cancellationToken)
    {
        var result = await rollover.FindAsync(subdomain, cancellationToken);
        if (result.Error is { } error)
        {
            return AdminProblems.From(error);
        }

        return result.Value.Source is { } source
            ? TypedResults.Ok(AdminViews.Metadata(source))
            : AdminProblems.Problem(StatusCodes.Status409Conflict, RolloverAdministration.NoMetadataUrl, "The tenant has no metadata URL: set metadataUrl with PUT .../sso.");
    }

    internal static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> RefreshMetadata(
        string subdomain, RolloverAdministration rollover, AdminViews views, ILogger<MetadataRefreshService> logger, CancellationToken cancellationToken) =>
        await RefreshedViewAsync(await rollover.RefreshNowAsync(subdomain, cancellationToken), subdomain, rollover, views, logger, cancellationToken);

    internal static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> ApplyPendingChange(
        string subdomain, RolloverAdministration rollover, AdminViews views, ILogger<MetadataRefreshService> logger, CancellationToken cancellationToken) =>
        await RefreshedViewAsync(await rollover.ApplyPendingAsync(subdomain, cancellationToken), subdomain, rollover, views, logger, cancellationToken);

    // A refresh that ran (now, or after applying a held change) is logged like a scheduled one, then the tenant is shown.
    private static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> RefreshedViewAsync(AdminResult<RefreshOutcome> result,
        string subdomain, RolloverAdministration rollover, AdminViews views, ILogger<MetadataRefreshService> logger,
        CancellationToken cancellationToken)
    {
        if (result.Error is { } error)
        {
            return AdminProblems.From(error);
        }

        RefreshLog.Write(logger, result.Value!);
        return await ViewAsync(subdomain, rollover, views, cancellationToken);
    }

    internal static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> DismissPendingChange(
        string subdomain, RolloverAdministration rollover, AdminViews views, CancellationToken cancellationToken) =>
        await rollover.DismissPendingAsync(subdomain, cancellationToken) is { } error
            ? AdminProblems.From(error)
            : await ViewAsync(subdomain, rollover, views, cancellationToken);

    internal static async Task<Results<Ok<PageResponse<AuditEventResponse>>, ValidationProblem, ProblemHttpResult>> ListAuditEvents(
        string subdomain, string? offset, string? limit, IValidator<PagingRequest> validator, RolloverAdministration rollover,
        CancellationToken cancellationToken)
    {
        var paging = new PagingRequest(offset, limit);
        if (await validator.CheckAsync(paging, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        var result = await rollover.ListAuditEventsAsync(subdomain, paging, cancellationToken);
        return result.Error is { } error ? AdminProblems.From(error) : TypedResults.Ok(AdminViews.AuditEvents(result.Value!));
    }

    internal static async Task<Results<Ok<PageResponse<TenantCertificateResponse>>, ValidationProblem, ProblemHttpResult>> ListCertificates(
        string? status, string? offset, string? limit, IValidator<PagingRequest> validator, RolloverAdministration rollover, AdminViews views,
        CancellationToken cancellationToken)
    {
        var paging = new PagingRequest(offset, limit);
        if (await validator.CheckAsync(paging, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        var result = await rollover.ListCertificatesAsync(status, paging, cancellationToken);
        return result.Error is { } error ? AdminProblems.From(error) : TypedResults.Ok(views.Certificates(result.Value!));
    }

    /// <summary>The tenant as the SSO endpoints answer it, with its metadata refresh state.</summary>
    internal static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> ViewAsync(string subdomain, RolloverAdministration rollover,
        AdminViews views, CancellationToken cancellationToken)
    {
        var found = await rollover.FindAsync(subdomain, cancellationToken);
        return found.Error is { } error ? AdminProblems.From(error) : TypedResults.Ok(views.Tenant(found.Value.Tenant, found.Value.Source));
    }
}
