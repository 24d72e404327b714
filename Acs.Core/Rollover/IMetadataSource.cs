namespace Acs.Core.Rollover;

/// <summary>The port: fetches an IdP's metadata document over the network, safely (the host decides how).</summary>
public interface IMetadataSource
{
    Task<MetadataFetchResult> FetchAsync(Uri url, CancellationToken cancellationToken);
}

/// <summary>The document's bytes, or why there are none.</summary>
public sealed record MetadataFetchResult(byte[]? Body, string? ErrorCode, string? Message)
{
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Body))]
    public bool IsSuccess => Body is not null;

    public static MetadataFetchResult Ok(byte[] body) => new(body, null, null);

    public static MetadataFetchResult Fail(string code, string message) => new(null, code, message);
}

/// <summary>Why a metadata fetch failed; each is also the <c>error.type</c> of the refresh metric.</summary>
public static class MetadataFetchErrorCodes
{
    public const string AddressRefused = "metadata_address_refused";
    public const string RedirectRefused = "metadata_redirect_refused";
    public const string TooManyRedirects = "metadata_too_many_redirects";
    public const string TooLarge = "metadata_too_large";
    public const string Timeout = "metadata_fetch_timeout";
    public const string HttpStatus = "metadata_http_status";
    public const string Unreachable = "metadata_unreachable";
}
