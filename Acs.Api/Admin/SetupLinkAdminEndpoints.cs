using Acs.Api.Hosting;
using Acs.Core.Manage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Acs.Api.Admin;

/// <summary>
/// Setup links: how the operator lets a company's administrator into the site's administration pages (/manage)
/// before single sign-on works.
/// </summary>
public static class SetupLinkAdminEndpoints
{
    /// <summary>The path of a setup link on a tenant site; the token follows.</summary>
    public const string SetupPath = "/manage/setup/";

    internal static void MapSetupLinkAdminEndpoints(this RouteGroupBuilder tenants)
    {
        var links = tenants.MapGroup("/{subdomain}/setup-links").ProducesProblem(StatusCodes.Status404NotFound);
        links.MapPost("/", CreateSetupLink)
            .WithSummary("Creates a setup link for the company's administrator (shown once; only its hash is kept). Default lifetime 7 days (Acs__Manage__SetupLinkLifetime).");
        links.MapGet("/", ListSetupLinks).WithSummary("Lists the tenant's setup links, newest first, with their status (active, expired, revoked); never the URL.");
        links.MapDelete("/{id:guid}", RevokeSetupLink).WithSummary("Revokes a setup link and ends the setup sessions it opened.");
    }

    /// <param name="Url">The link to hand to the company's administrator; it cannot be read again.</param>
    public sealed record CreatedSetupLinkResponse(Guid Id, string Url, DateTimeOffset ExpiresAt);

    /// <param name="Status"><c>active</c>, <c>expired</c> or <c>revoked</c>.</param>
    public sealed record SetupLinkResponse(Guid Id, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt, string Status);

    internal static async Task<Results<Created<CreatedSetupLinkResponse>, ProblemHttpResult>> CreateSetupLink(
        string subdomain, SetupLinkAdministration links, AcsSettings settings, CancellationToken cancellationToken)
    {
        var result = await links.CreateAsync(subdomain, cancellationToken);
        if (result.Error is { } error)
        {
            return AdminProblems.From(error);
        }

        var created = result.Value!;
        var url = settings.PublicUrls[0].BaseUrl(subdomain) + SetupPath + created.Token;
        return TypedResults.Created($"/admin/tenants/{subdomain}/setup-links/{created.Link.Id}",
            new CreatedSetupLinkResponse(created.Link.Id, url, created.Link.ExpiresAt));
    }

    internal static async Task<Results<Ok<IReadOnlyList<SetupLinkResponse>>, ProblemHttpResult>> ListSetupLinks(
        string subdomain, SetupLinkAdministration links, TimeProvider time, CancellationToken cancellationToken)
    {
        var result = await links.ListAsync(subdomain, cancellationToken);
        if (result.Error is { } error)
        {
            return AdminProblems.From(error);
        }

        var now = time.GetUtcNow();
        return TypedResults.Ok<IReadOnlyList<SetupLinkResponse>>(result.Value!
            .Select(l => new SetupLinkResponse(l.Id, l.CreatedAt, l.ExpiresAt, l.RevokedAt, l.StatusAt(now))).ToList());
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> RevokeSetupLink(
        string subdomain, Guid id, SetupLinkAdministration links, CancellationToken cancellationToken) =>
        await links.RevokeAsync(subdomain, id, cancellationToken) is { } error ? AdminProblems.From(error) : TypedResults.NoContent();
}
