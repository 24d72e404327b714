using System.Text.Encodings.Web;

namespace Acs.Api.Pages;

/// <summary>The small, self-contained HTML pages of tenant sites (no scripts; styles inline).</summary>
public static class HtmlPage
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private const string Style = """
        body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f5f7fa;color:#1f2933;margin:0}
        main{max-width:34rem;margin:12vh auto;background:#fff;border-radius:10px;padding:2rem 2.5rem;box-shadow:0 2px 12px rgba(0,0,0,.08)}
        h1{font-size:1.4rem;margin:0 0 1rem} p{line-height:1.5} .muted{color:#616e7c;font-size:.9rem}
        code{background:#eef2f7;padding:.1rem .35rem;border-radius:4px}
        .button{display:inline-block;background:#2563eb;color:#fff;border:0;border-radius:6px;padding:.6rem 1.1rem;font-size:1rem;text-decoration:none;cursor:pointer}
        .button.secondary{background:#e4e7eb;color:#1f2933} .hint{background:#fff8e6;border-left:4px solid #f0b429;padding:.6rem .9rem}
        """;

    public static string Render(string title, string bodyHtml) => $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{Encode(title)}</title><style>{Style}</style></head>
        <body><main>{bodyHtml}</main></body></html>
        """;

    public static string Encode(string? text) => HtmlEncoder.Default.Encode(text ?? string.Empty);

    /// <summary>An HTML result with the headers every page carries.</summary>
    public static IResult Result(HttpContext http, string title, string bodyHtml, int statusCode = StatusCodes.Status200OK)
    {
        AddSecurityHeaders(http.Response);
        return TypedResults.Content(Render(title, bodyHtml), "text/html; charset=utf-8", System.Text.Encoding.UTF8, statusCode);
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
