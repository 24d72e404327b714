using System.Security.Cryptography;

namespace Acs.Api.Pages;

/// <summary>
/// The pages' stylesheet and their one script, compiled into the assembly and served from <c>/assets</c> on every host.
/// Embedded rather than in wwwroot: the service runs from any content root (tests run it from their own folder).
/// The URL carries a content hash, so the files can be cached for good.
/// </summary>
public static class SiteAssets
{
    private static readonly Asset Stylesheet = Asset.Load("site.css", "text/css; charset=utf-8");
    private static readonly Asset PostOnScript = Asset.Load("post-on.js", "text/javascript; charset=utf-8");
    private static readonly Asset CopyScript = Asset.Load("copy.js", "text/javascript; charset=utf-8");

    public static string StylesheetUrl => Stylesheet.Url;

    public static string PostOnScriptUrl => PostOnScript.Url;

    /// <summary>The copy buttons of the administration pages.</summary>
    public static string CopyScriptUrl => CopyScript.Url;

    public static IEndpointRouteBuilder MapSiteAssets(this IEndpointRouteBuilder app)
    {
        foreach (var asset in new[] { Stylesheet, PostOnScript, CopyScript })
        {
            app.MapGet("/assets/" + asset.Name, (HttpContext http) =>
            {
                http.Response.Headers.XContentTypeOptions = "nosniff";
                http.Response.Headers.CacheControl = http.Request.Query["v"] == asset.Version
                    ? "public, max-age=31536000, immutable"
                    : "no-cache";
                return TypedResults.Bytes(asset.Content, asset.ContentType);
            }).ExcludeFromDescription();
        }

        return app;
    }

    private sealed record Asset(string Name, string ContentType, byte[] Content, string Version)
    {
        public string Url => $"/assets/{Name}?v={Version}";

        public static Asset Load(string name, string contentType)
        {
            using var stream = typeof(SiteAssets).Assembly.GetManifestResourceStream("Acs.Api.Pages.Assets." + name)
                               ?? throw new InvalidOperationException($"The embedded asset {name} is missing.");
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            return new Asset(name, contentType, content, Convert.ToHexStringLower(SHA256.HashData(content))[..12]);
        }
    }
}
