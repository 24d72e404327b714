using Acs.Api.Pages;
using Acs.Api.Sessions;
using Acs.Api.Tenants;
using Acs.Core.Manage;
using Acs.Core.Sessions;

namespace Acs.Api.Manage;

/// <summary>
/// The company administrator's own pages on the company site, <c>/manage</c>: Single Sign-on, Team Members and the
/// Sign-in log. Conventions are set once on the group: the tenant from the host, no OpenAPI (the admin API is the
/// contract), and the access rule; every form post also checks its antiforgery token and answers with a redirect.
/// </summary>
public static partial class ManageEndpoints
{
    public const string BasePath = "/manage";
    public const string SsoPath = "/manage/sso";
    public const string MembersPath = "/manage/members";
    public const string SignInsPath = "/manage/sign-ins";

    public static IEndpointRouteBuilder MapManageEndpoints(this IEndpointRouteBuilder app)
    {
        var site = app.MapGroup(BasePath).RequireTenantSite().ExcludeFromDescription();
        site.MapGet("/setup/{token}", OpenSetupLink);

        var pages = site.MapGroup("/").AddEndpointFilter(RequireAdministrator);
        pages.MapGet("/", () => new SeeOther(SsoPath));
        pages.MapPost("/end-setup-session", EndSetupSession).RequireAntiforgeryToken();
        MapSsoTab(pages);
        MapMembersTab(pages);
        MapSignInLogTab(pages);
        return app;
    }

    /// <summary>Who is here, set by the access filter before any page handler runs.</summary>
    internal static ManageAccess GetManageAccess(this HttpContext http) =>
        http.Features.Get<ManageAccess>() ?? throw new InvalidOperationException("the manage access filter did not run");

    internal static ManageContext Context(HttpContext http, string tab) =>
        new(http.GetTenantSite().Tenant.DisplayName, http.GetManageAccess(), tab);

    /// <summary>A setup session or a Client Administrator's session of this very tenant; anyone else is turned away.</summary>
    private static async ValueTask<object?> RequireAdministrator(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var site = http.GetTenantSite();
        var services = http.RequestServices;
        var cancellationToken = http.RequestAborted;
        var setup = await services.GetRequiredService<SetupLinkAdministration>()
            .FindSessionAsync(site.Tenant.Id, ManageCookies.SetupSessionToken(http, site), cancellationToken);
        SessionMember? session = null;
        if (setup is null && SessionCookies.TokenHash(http, site) is { } hash)
        {
            session = await services.GetRequiredService<ISessionStore>()
                .FindAsync(site.Tenant.Id, hash, services.GetRequiredService<TimeProvider>().GetUtcNow(), cancellationToken);
        }

        var access = ManageAccess.Decide(setup, session);
        switch (access.Kind)
        {
            case ManageAccessKind.Anonymous when HttpMethods.IsGet(http.Request.Method) && site.Tenant.Idp is not null:
                // Sign in first, then come back to the page asked for.
                var returnTo = Uri.EscapeDataString(http.Request.Path + http.Request.QueryString);
                return new SeeOther("/sso/saml/login?returnTo=" + returnTo);
            case ManageAccessKind.Anonymous:
                return ManagePages.NotSignedIn(http, site);
            case ManageAccessKind.Forbidden:
                return ManagePages.Forbidden(http, site, access.Member!);
        }

        http.Features.Set(access);
        return await next(context);
    }

    internal static async Task<IResult> OpenSetupLink(string token, HttpContext http, SetupLinkAdministration links, CancellationToken cancellationToken)
    {
        var site = http.GetTenantSite();
        var opened = await links.OpenAsync(site.Tenant.Id, token, cancellationToken);
        if (opened.Outcome != SetupLinkOpening.Opened)
        {
            return ManagePages.SetupLinkRefused(http, site, opened.Outcome);
        }

        var lifetime = opened.SessionExpiresAt!.Value - http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        ManageCookies.IssueSetupSession(http, site, opened.SessionToken!, lifetime);
        // Off the link's URL at once, so the token does not stay in the address bar or the history entry of the page.
        return new SeeOther(SsoPath);
    }

    internal static async Task<IResult> EndSetupSession(HttpContext http, SetupLinkAdministration links, CancellationToken cancellationToken)
    {
        var site = http.GetTenantSite();
        await links.EndSessionAsync(site.Tenant.Id, ManageCookies.SetupSessionToken(http, site), cancellationToken);
        ManageCookies.ClearSetupSession(http, site);
        return new SeeOther("/");
    }

    /// <summary>The form of a post, or null when it cannot be read (too large, not a form): the caller answers 400.</summary>
    internal static async Task<IFormCollection?> ReadFormAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType)
        {
            return null;
        }

        try
        {
            return await http.Request.ReadFormAsync(http.RequestAborted);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException)
        {
            return null;
        }
    }

    internal static string? Field(IFormCollection form, string name) => form[name].Count == 1 ? form[name][0] : null;
}

/// <summary>What every administration page shows around its tab: the company, who is here and until when, the tab.</summary>
public sealed record ManageContext(string TenantName, ManageAccess Access, string Tab);
