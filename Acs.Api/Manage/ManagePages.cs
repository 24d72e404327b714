using Acs.Api.Pages;
using Acs.Api.Tenants;
using Acs.Core.Manage;
using Acs.Core.Members;

namespace Acs.Api.Manage;

/// <summary>The pages that turn someone away from the administration pages, each saying why and what to do.</summary>
internal static class ManagePages
{
    /// <summary>The copy buttons' script: the one script the administration pages load, from this site only.</summary>
    public static void AllowOwnScript(HttpContext http) =>
        http.Response.Headers.ContentSecurityPolicy = PageResults.ContentSecurityPolicy + "; script-src 'self'";

    public static IResult NotSignedIn(HttpContext http, TenantSite site) =>
        Notice(http, site, StatusCodes.Status401Unauthorized, "Sign in to manage this site",
            $"The administration pages of {site.Tenant.DisplayName} are for its Client Administrators. "
            + (site.Tenant.Idp is null
                ? "Single sign-on is not set up yet: open the setup link the operator sent you."
                : "Sign in with your company account, or open the setup link the operator sent you."),
            site.Tenant.Idp is null ? null : "/sso/saml/login?returnTo=%2Fmanage%2Fsso");

    public static IResult Forbidden(HttpContext http, TenantSite site, Member member)
    {
        var name = $"{member.FirstName} {member.LastName}".Trim();
        return Notice(http, site, StatusCodes.Status403Forbidden, "Only Client Administrators manage this site",
            $"You are signed in as {(name.Length > 0 ? name : member.Email)} ({member.Email}), a {MemberRoles.DisplayName(member.Role)}. "
            + $"Access is granted by a Client Administrator of {site.Tenant.DisplayName}, who can make you one on the Team Members tab, "
            + "or by a setup link from the operator of this service.", signInUrl: null);
    }

    public static IResult SetupLinkRefused(HttpContext http, TenantSite site, SetupLinkOpening outcome) => outcome switch
    {
        SetupLinkOpening.Expired => Notice(http, site, StatusCodes.Status410Gone, "This setup link has expired",
            "Setup links work for a limited time. Ask the operator of this service for a new one.", null),
        SetupLinkOpening.Revoked => Notice(http, site, StatusCodes.Status410Gone, "This setup link was revoked",
            "The operator withdrew this link. Ask them for a new one if you still need to set up the site.", null),
        SetupLinkOpening.OtherTenant => Notice(http, site, StatusCodes.Status404NotFound, "This setup link is for another site",
            $"The link belongs to another company's site, not to {site.Tenant.DisplayName}. Open it exactly as the operator sent it.", null),
        _ => Notice(http, site, StatusCodes.Status404NotFound, "Setup link not found",
            "This is not a setup link of this site. Check that the whole link was copied, or ask the operator for a new one.", null),
    };

    public static IResult BadForm(HttpContext http, TenantSite site) =>
        Notice(http, site, StatusCodes.Status400BadRequest, "The form could not be read",
            "The form was too large or not a form. Go back, and upload only the certificate or the metadata file.", null);

    public static IResult NotFound(HttpContext http, TenantSite site, string what) =>
        Notice(http, site, StatusCodes.Status404NotFound, "Not found", $"This site has no such {what}.", null);

    private static IResult Notice(HttpContext http, TenantSite site, int status, string title, string text, string? signInUrl) =>
        PageResults.Page<ManageNoticePage>(http, new { TenantName = site.Tenant.DisplayName, Heading = title, Text = text, SignInUrl = signInUrl }, status);
}
