using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Acs.Api.Pages;

/// <summary>Renders a page component (static server rendering) with the headers every page carries.</summary>
public static class PageResults
{
    /// <summary>No inline script or style; scripts only where a page adds <c>script-src</c> for its own file.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static RazorComponentResult<TPage> Page<TPage>(HttpContext http, object? parameters = null, int statusCode = StatusCodes.Status200OK)
        where TPage : IComponent
    {
        AddSecurityHeaders(http.Response);
        return new RazorComponentResult<TPage>(parameters ?? new { }) { StatusCode = statusCode };
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
