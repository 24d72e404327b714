using Acs.Api.DevelopmentIdp;
using Acs.Api.Hosting;
using Acs.Api.Tenants;
using Acs.Core.DevelopmentIdp;
using Acs.Core.Login;
using Acs.Core.Tenants;

namespace Acs.Api.Pages;

/// <summary>
/// Failures as browsers and API clients expect them: an HTML page (<see cref="ErrorPage"/>) with a way on, or problem
/// details for JSON clients.
/// </summary>
public static class ErrorResults
{
    public const string SignInAgainPath = "/sso/saml/login?returnTo=%2F";

    public static bool WantsJson(HttpContext http) =>
        http.Request.Headers.Accept.Any(a => a is not null && (a.Contains("application/json", StringComparison.OrdinalIgnoreCase)
                                                               || a.Contains("application/problem+json", StringComparison.OrdinalIgnoreCase)));

    /// <summary>A browser navigating (it names text/html) rather than an API client, which keeps problem details.</summary>
    public static bool WantsHtml(HttpContext http) =>
        !WantsJson(http) && http.Request.Headers.Accept.Any(a => a is not null && a.Contains("text/html", StringComparison.OrdinalIgnoreCase));

    public static IResult UnknownSite(HttpContext http, PublicUrlTemplate template) =>
        Page(http, StatusCodes.Status404NotFound, LoginErrorCodes.TenantUnknown, "Site not found",
            "There is no site at this address. Check the address, or ask your administrator for your company's sign-in link.",
            links: [new PageLink("Go to the service's home", template.ServiceBaseUrl + "/")]);

    /// <summary>The service's own address, which is no company site: where the sites are, and the demo when it runs.</summary>
    public static IResult NotATenantSite(HttpContext http, int? statusCode = null)
    {
        var settings = http.RequestServices.GetRequiredService<AcsSettings>();
        var siteTemplate = settings.PublicUrls[0].Template;
        var atRoot = http.Request.Path == "/";
        var status = statusCode ?? (atRoot ? StatusCodes.Status200OK : StatusCodes.Status404NotFound);
        var text = atRoot
            ? "This address is the sign-in service itself, not a company site."
            : $"There is no page at {http.Request.Path}. This address is the sign-in service itself, not a company site.";
        if (WantsJson(http))
        {
            return TypedResults.Problem(statusCode: status, title: "Not a company site",
                detail: $"{text} Company sites are at {siteTemplate}.", extensions: new Dictionary<string, object?> { ["errorCode"] = "site_not_tenant" });
        }

        var demo = http.RequestServices.GetService<DevelopmentIdpResponseIssuer>() is null
            ? null
            : settings.PublicUrls[0].BaseUrl(DevelopmentIdpEndpoints.DemoSubdomain) + "/";
        return PageResults.Page<ServiceHomePage>(http, new { Message = text, SiteTemplate = siteTemplate, DemoUrl = demo, AtRoot = atRoot }, status);
    }

    /// <summary>The ACS URL opened in a browser: it only receives the IdP's posts, so say so and offer to start signing in.</summary>
    public static IResult ConsumeNeedsPost(HttpContext http)
    {
        http.Response.Headers.Allow = "POST";
        return Page(http, StatusCodes.Status405MethodNotAllowed, "consume_needs_post", "This address receives sign-ins",
            "This is where your company's identity provider sends you after you sign in there; opening it directly does nothing. " +
            "Start signing in instead.",
            links: WaysOn(http, http.Features.Get<TenantSite>()).Select(l => l.Href == SignInAgainPath ? l with { Text = "Start signing in" } : l).ToList());
    }

    /// <summary>A post of this site's own form without a valid antiforgery token (expired, or sent from another site).</summary>
    public static IResult FormExpired(HttpContext http) =>
        Page(http, StatusCodes.Status400BadRequest, "form_expired", "This form has expired",
            "The form was open too long, or was sent from another site. Go back to the page, reload it and try again.");

    public static IResult TooManyRequests(HttpContext http) =>
        Page(http, StatusCodes.Status429TooManyRequests, "rate_limited", "Too many requests",
            "Too many sign-in attempts arrived at once. Please wait a moment and try again.");

    public static IResult ServiceUnavailable(HttpContext http) =>
        Page(http, StatusCodes.Status503ServiceUnavailable, "service_unavailable", "Temporarily unavailable",
            "Sign-in is briefly unavailable. Please try again in a few seconds.");

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
            "We could not sign you in. Start again with the button below or from your company's app portal; if it keeps failing, " +
            "send the code and event id below to your administrator.",
            eventId == Guid.Empty ? null : eventId, failure.AdminHint, LoginErrorHints.SideOf(failure.Code));
    }

    /// <summary>An answer without a body of its own (no route, wrong method, …), for a browser: what happened, and a way on.</summary>
    public static async Task<IResult> StatusPageAsync(HttpContext http, int status)
    {
        HostResolution host;
        try
        {
            host = await http.ResolveHostAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The directory is unreachable: the page still shows, with the links the host alone allows.
            host = new HostResolution(http.MatchTemplate(out _) is null ? HostKind.ServiceHost : HostKind.TenantSite, null,
                http.RequestServices.GetRequiredService<AcsSettings>().PublicUrls[0]);
        }

        if (host.Kind == HostKind.UnknownTenant)
        {
            return UnknownSite(http, host.Template);
        }

        if (host.Kind == HostKind.ServiceHost && status == StatusCodes.Status404NotFound)
        {
            return NotATenantSite(http, status);
        }

        var (title, text) = status switch
        {
            StatusCodes.Status404NotFound => ("Page not found", $"There is no page at {http.Request.Path} on this site."),
            StatusCodes.Status405MethodNotAllowed => ("Not available this way",
                $"The address {http.Request.Path} exists, but cannot be opened like this (it does not take a {http.Request.Method})."),
            StatusCodes.Status413PayloadTooLarge => ("Too large", "What was sent is larger than this site accepts."),
            StatusCodes.Status415UnsupportedMediaType => ("Not accepted", "What was sent is in a form this address does not accept."),
            StatusCodes.Status400BadRequest => ("Bad request", "The request could not be understood."),
            StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden => ("Not allowed", "You may not open this address."),
            _ => ("Something went wrong", "This request could not be completed."),
        };
        return Page(http, status, null, title, text);
    }

    private static IResult Page(HttpContext http, int status, string? code, string title, string text, Guid? eventId = null,
        string? hint = null, LoginErrorSide? side = null, IReadOnlyList<PageLink>? links = null)
    {
        if (WantsJson(http))
        {
            var extensions = new Dictionary<string, object?>();
            if (code is not null)
            {
                extensions["errorCode"] = code;
            }

            if (eventId is not null)
            {
                extensions["eventId"] = eventId;
            }

            return TypedResults.Problem(statusCode: status, title: title, detail: hint ?? text, extensions: extensions);
        }

        var site = http.Features.Get<TenantSite>();
        return PageResults.Page<ErrorPage>(http, new
        {
            Title = title,
            Message = text,
            Code = code,
            EventId = eventId,
            Hint = hint,
            Side = side,
            SiteName = site?.Tenant.DisplayName,
            Links = links ?? WaysOn(http, site),
        }, status);
    }

    /// <summary>Sign in again where the site can sign anyone in, and its home; on the service's own host, its home.</summary>
    private static IReadOnlyList<PageLink> WaysOn(HttpContext http, TenantSite? site)
    {
        if (site is null && http.MatchTemplate(out _) is null)
        {
            return [new PageLink("Service home", "/")];
        }

        return site is null || site.Tenant.Idp is not null
            ? [new PageLink("Sign in again", SignInAgainPath), new PageLink("Site home", "/")]
            : [new PageLink("Site home", "/")];
    }
}
