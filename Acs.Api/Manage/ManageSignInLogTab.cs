using Acs.Api.Pages;
using Acs.Api.Tenants;
using Acs.Core.Manage;

namespace Acs.Api.Manage;

/// <summary>The Sign-in log tab: newest first, by outcome and person; a failed attempt opens to why and what to fix.</summary>
public static partial class ManageEndpoints
{
    private static void MapSignInLogTab(RouteGroupBuilder pages)
    {
        pages.MapGet("/sign-ins", ShowSignIns);
        pages.MapGet("/sign-ins/{id:guid}", ShowSignIn);
    }

    internal static async Task<IResult> ShowSignIns(HttpContext http, string? outcome, string? person, SignInLog log, CancellationToken cancellationToken)
    {
        var site = http.GetTenantSite();
        var filter = new SignInLogFilter(outcome, person);
        var entries = await log.ListAsync(site.Tenant.Id, filter, cancellationToken);
        return PageResults.Page<SignInLogTab>(http, new { Context = Context(http, ManageTabs.SignIns), Filter = filter, Entries = entries });
    }

    internal static async Task<IResult> ShowSignIn(Guid id, HttpContext http, SignInLog log, CancellationToken cancellationToken)
    {
        var site = http.GetTenantSite();
        return await log.FindAsync(site.Tenant.Id, id, cancellationToken) is { } entry
            ? PageResults.Page<SignInEventPage>(http, new { Context = Context(http, ManageTabs.SignIns), Entry = entry })
            : ManagePages.NotFound(http, site, "sign-in attempt");
    }
}
