using Acs.Core.Login;

namespace Acs.Api.Pages;

/// <summary>Failures as browsers and API clients expect them: an HTML page, or problem details for JSON clients.</summary>
public static class ErrorResults
{
    public static bool WantsJson(HttpContext http) =>
        http.Request.Headers.Accept.Any(a => a is not null && (a.Contains("application/json", StringComparison.OrdinalIgnoreCase)
                                                               || a.Contains("application/problem+json", StringComparison.OrdinalIgnoreCase)));

    public static IResult UnknownSite(HttpContext http) =>
        Page(http, StatusCodes.Status404NotFound, LoginErrorCodes.TenantUnknown, "Site not found",
            "There is no site at this address. Check the address, or ask your administrator for your company's sign-in link.",
            eventId: null, hint: null);

    /// <summary>The service's own address, which is no company site: where the sites are, and the demo when it runs.</summary>
    public static IResult NotATenantSite(HttpContext http, string siteTemplate, string? demoUrl)
    {
        const string title = "AcsService";
        const string text = "This address is the sign-in service itself, not a company site.";
        if (WantsJson(http))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not a company site",
                detail: $"{text} Company sites are at {siteTemplate}.", extensions: new Dictionary<string, object?> { ["errorCode"] = "site_not_tenant" });
        }

        var demo = demoUrl is null
            ? ""
            : $"<p>The demo company runs here: <a class=\"button\" href=\"{HtmlPage.Encode(demoUrl)}\">Open {HtmlPage.Encode(demoUrl)}</a></p>";
        var body = $"""
            <h1>{title}</h1>
            <p>{text} Each company has its own site, at <code>{HtmlPage.Encode(siteTemplate)}</code> with the company's
            name in place of <code>{PublicUrlTemplatePlaceholder}</code>.</p>
            {demo}
            <p class="muted">Operators: the admin API is under <code>/admin</code>; health at <code>/healthz</code> and <code>/readyz</code>.</p>
            """;
        return HtmlPage.Result(http, title, body, StatusCodes.Status404NotFound);
    }

    private const string PublicUrlTemplatePlaceholder = Acs.Core.Tenants.PublicUrlTemplate.Placeholder;

    /// <summary>A post of this site's own form without a valid antiforgery token (expired, or sent from another site).</summary>
    public static IResult FormExpired(HttpContext http) =>
        Page(http, StatusCodes.Status400BadRequest, "form_expired", "This form has expired",
            "The form was open too long, or was sent from another site. Go back to the page, reload it and try again.", eventId: null, hint: null);

    public static IResult TooManyRequests(HttpContext http) =>
        Page(http, StatusCodes.Status429TooManyRequests, "rate_limited", "Too many requests",
            "Too many sign-in attempts arrived at once. Please wait a moment and try again.", eventId: null, hint: null);

    public static IResult ServiceUnavailable(HttpContext http) =>
        Page(http, StatusCodes.Status503ServiceUnavailable, "service_unavailable", "Temporarily unavailable",
            "Sign-in is briefly unavailable. Please try again in a few seconds.", eventId: null, hint: null);

    public static IResult LoginFailed(HttpContext http, Guid eventId, LoginFailure failure)
    {
        var status = failure.Kind switch
        {
            LoginFailureKind.MalformedInput => StatusCodes.Status400BadRequest,
            LoginFailureKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
            LoginFailureKind.NotConfigured => StatusCodes.Status404NotFound,
            _ => StatusCodes.Status403Forbidden,
        };
        return Page(http, status, failure.Code, "Sign-in failed",
            "We could not sign you in. Try again from your company's app portal; if it keeps failing, send the code and event id " +
            "below to your administrator.", eventId, failure.AdminHint);
    }

    private static IResult Page(HttpContext http, int status, string code, string title, string text, Guid? eventId, string? hint)
    {
        if (WantsJson(http))
        {
            var extensions = new Dictionary<string, object?> { ["errorCode"] = code };
            if (eventId is not null)
            {
                extensions["eventId"] = eventId;
            }

            return TypedResults.Problem(statusCode: status, title: title, detail: hint ?? text, extensions: extensions);
        }

        var body = $"""
            <h1>{HtmlPage.Encode(title)}</h1>
            <p>{HtmlPage.Encode(text)}</p>
            <p class="muted">Error code: <code>{HtmlPage.Encode(code)}</code>{(eventId is null ? "" : $"<br>Event id: <code>{eventId}</code>")}</p>
            {(hint is null ? "" : $"<p class=\"hint\"><strong>For your administrator:</strong> {HtmlPage.Encode(hint)}</p>")}
            """;
        return HtmlPage.Result(http, title, body, status);
    }
}
