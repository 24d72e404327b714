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
        // SameSite=Lax keeps the cookie off cross-site POSTs, so another site cannot sign a member out.
        group.MapPost("/logout", Logout).DisableAntiforgery();
        return app;
    }

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
        var tenantName = HtmlPage.Encode(site.Tenant.DisplayName);
        var session = await FindSessionAsync(http, site, sessions, time, cancellationToken);
        if (session is not null)
        {
            var m = session.Member;
            var name = $"{m.FirstName} {m.LastName}".Trim();
            var body = $"""
                <h1>Signed in to {tenantName}</h1>
                <p>Signed in to {tenantName} as <strong>{HtmlPage.Encode(name.Length > 0 ? name : m.Email)}</strong> ({HtmlPage.Encode(MemberRoles.DisplayName(m.Role))}).</p>
                <p class="muted">{HtmlPage.Encode(m.Email)}</p>
                <form method="post" action="/logout"><button class="button secondary" type="submit">Sign out</button></form>
                """;
            return HtmlPage.Result(http, $"{site.Tenant.DisplayName}", body);
        }

        var signIn = site.Tenant.Idp is not null
            ? """<p><a class="button" href="/sso/saml/login?returnTo=%2F">Sign in with your company account</a></p>"""
            : """<p class="muted">Single sign-on is not configured for this site yet.</p>""";
        if (http.RequestServices.GetService<DevelopmentIdpResponseIssuer>() is not null)
        {
            signIn += """<p><a href="/dev/idp">Sign in with the development IdP</a> <span class="muted">(IdP-initiated, as from My Apps)</span></p>""";
        }

        return HtmlPage.Result(http, site.Tenant.DisplayName, $"""
            <h1>{tenantName}</h1>
            <p>You are not signed in.</p>
            {signIn}
            """);
    }

    internal static async Task<IResult> Logout(HttpContext http, ISessionStore sessions, CancellationToken cancellationToken)
    {
        var site = http.GetTenantSite();
        if (SessionCookies.TokenHash(http, site) is { } hash)
        {
            await sessions.EndAsync(site.Tenant.Id, hash, cancellationToken);
        }

        SessionCookies.Clear(http, site);
        return new SeeOther("/");
    }

    private static async Task<SessionMember?> FindSessionAsync(HttpContext http, TenantSite site, ISessionStore sessions, TimeProvider time,
        CancellationToken cancellationToken) =>
        SessionCookies.TokenHash(http, site) is { } hash
            ? await sessions.FindAsync(site.Tenant.Id, hash, time.GetUtcNow(), cancellationToken)
            : null;
}
