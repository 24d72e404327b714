using Acs.Api.Pages;
using Acs.Api.Tenants;
using Acs.Core.DevelopmentIdp;
using Acs.Core.Members;
using Acs.Core.Sessions;

namespace Acs.Api.Sessions;

public static class SessionEndpoints
{
    public static IEndpointRouteBuilder MapSessionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/").RequireTenantSite().ExcludeFromDescription();
        group.MapGet("/", Landing);
        group.MapGet("/api/me", Me);
        group.MapPost("/logout", Logout).RequireAntiforgeryToken();
        group.MapGet(SignedOutPath, SignedOut);
        return app;
    }

    public const string SignedOutPath = "/signed-out";

    public sealed record MeResponse(string Tenant, Guid MemberId, string Email, string FirstName, string LastName, string Role);

    internal static async Task<IResult> Me(HttpContext http, ISessionStore sessions, TimeProvider time, CancellationToken cancellationToken)
    {
        var site = http.GetTenantSite();
        var session = await FindSessionAsync(http, site, sessions, time, cancellationToken);
        if (session is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Not signed in",
                detail: $"Sign in at {site.BaseUrl}/sso/saml/login first.",
                extensions: new Dictionary<string, object?> { ["errorCode"] = "not_signed_in", ["signInUrl"] = "/sso/saml/login?returnTo=%2F" });
        }

        var m = session.Member;
        return TypedResults.Ok(new MeResponse(site.Subdomain, m.Id, m.Email, m.FirstName, m.LastName, m.Role));
    }

    internal static async Task<IResult> Landing(HttpContext http, ISessionStore sessions, TimeProvider time, CancellationToken cancellationToken)
    {
        var site = http.GetTenantSite();
        var session = await FindSessionAsync(http, site, sessions, time, cancellationToken);
        var member = session?.Member;
        var name = member is null ? null : $"{member.FirstName} {member.LastName}".Trim();
        return PageResults.Page<LandingPage>(http, new
        {
            TenantName = site.Tenant.DisplayName,
            MemberName = member is null ? null : name is { Length: > 0 } ? name : member.Email,
            RoleName = member is null ? null : MemberRoles.DisplayName(member.Role),
            member?.Email,
            SignInConfigured = site.Tenant.Idp is not null,
            DevelopmentIdp = http.RequestServices.GetService<DevelopmentIdpResponseIssuer>() is not null,
        });
    }

    internal static async Task<IResult> Logout(HttpContext http, ISessionStore sessions, CancellationToken cancellationToken)
    {
        var site = http.GetTenantSite();
        if (SessionCookies.TokenHash(http, site) is { } hash)
        {
            await sessions.EndAsync(site.Tenant.Id, hash, cancellationToken);
        }

        SessionCookies.Clear(http, site);
        return new SeeOther(SignedOutPath);
    }

    internal static IResult SignedOut(HttpContext http)
    {
        var site = http.GetTenantSite();
        return PageResults.Page<SignedOutPage>(http, new { TenantName = site.Tenant.DisplayName, SignInConfigured = site.Tenant.Idp is not null });
    }

    private static async Task<SessionMember?> FindSessionAsync(HttpContext http, TenantSite site, ISessionStore sessions, TimeProvider time,
        CancellationToken cancellationToken) =>
        SessionCookies.TokenHash(http, site) is { } hash
            ? await sessions.FindAsync(site.Tenant.Id, hash, time.GetUtcNow(), cancellationToken)
            : null;
}
