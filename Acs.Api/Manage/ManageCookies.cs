using System.Globalization;
using Acs.Api.Tenants;

namespace Acs.Api.Manage;

/// <summary>
/// The cookies of the administration pages. The setup session is <c>__Host-</c> (host-only, Secure, Path=/), HttpOnly
/// and SameSite=Lax: Lax, not Strict, because the pages are reached again by the redirect after a test sign-in that
/// the IdP posted cross-site. The test marker must survive that very cross-site POST, so it is SameSite=None; it holds
/// only the instant the test started, which picks the login event to show. Plain-http sites (local development) cannot
/// set Secure, so there the names lose their prefix.
/// </summary>
public static class ManageCookies
{
    public static string SetupSessionName(TenantSite site) => site.Template.IsHttps ? "__Host-acs_setup" : "acs_setup";

    public static string TestName(TenantSite site) => site.Template.IsHttps ? "__Host-acs_sso_test" : "acs_sso_test";

    /// <summary>How long a test's result stays on the Single Sign-on tab.</summary>
    public static readonly TimeSpan TestLifetime = TimeSpan.FromHours(1);

    public static void IssueSetupSession(HttpContext http, TenantSite site, string token, TimeSpan lifetime) =>
        http.Response.Cookies.Append(SetupSessionName(site), token, new CookieOptions
        {
            HttpOnly = true,
            Secure = site.Template.IsHttps,
            SameSite = SameSiteMode.Lax,
            Path = "/",
            MaxAge = lifetime,
        });

    public static void ClearSetupSession(HttpContext http, TenantSite site) =>
        http.Response.Cookies.Delete(SetupSessionName(site), new CookieOptions
        {
            HttpOnly = true,
            Secure = site.Template.IsHttps,
            SameSite = SameSiteMode.Lax,
            Path = "/",
        });

    public static string? SetupSessionToken(HttpContext http, TenantSite site) => http.Request.Cookies[SetupSessionName(site)];

    public static void IssueTest(HttpContext http, TenantSite site, DateTimeOffset startedAt) =>
        http.Response.Cookies.Append(TestName(site), startedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), new CookieOptions
        {
            HttpOnly = true,
            Secure = site.Template.IsHttps,
            SameSite = site.Template.IsHttps ? SameSiteMode.None : SameSiteMode.Unspecified,
            Path = "/",
            MaxAge = TestLifetime,
            IsEssential = true,
        });

    /// <summary>When the test this browser started began, if it did within <see cref="TestLifetime"/>.</summary>
    public static DateTimeOffset? TestStartedAt(HttpContext http, TenantSite site, DateTimeOffset now)
    {
        var raw = http.Request.Cookies[TestName(site)];
        if (raw is not { Length: <= 20 } || !long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || ms > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return null;
        }

        var startedAt = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        return startedAt <= now && now - startedAt <= TestLifetime ? startedAt : null;
    }
}
