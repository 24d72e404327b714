using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Acs.Api.Pages;

/// <summary>Renders a page component (static server rendering) with the headers every page carries.</summary>
public static class PageResults
{
    /// <summary>No inline script or style; scripts only where a page adds <c>script-src</c> for its own file.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static IResult Page<TPage>(HttpContext http, object? parameters = null, int statusCode = StatusCodes.Status200OK)
        where TPage : IComponent
    {
        AddSecurityHeaders(http.Response);
        return new PageResult(new RazorComponentResult<TPage>(parameters ?? new { }) { StatusCode = statusCode });
    }

    /// <summary>
    /// The renderer builds an absolute URI from the request's host, and throws on one that does not parse (a hostile Host
    /// header that reached a page). The pages link relatively, so such a request is rendered as if for localhost.
    /// </summary>
    private sealed class PageResult(IResult page) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var request = httpContext.Request;
            if (!Uri.TryCreate($"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}", UriKind.Absolute, out _))
            {
                request.Host = new HostString("localhost");
                request.PathBase = PathString.Empty;
                request.Path = "/";
            }

            return page.ExecuteAsync(httpContext);
        }
    }

    public static void AddSecurityHeaders(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XFrameOptions = "DENY";
        response.Headers.CacheControl = "no-store";
    }
}
