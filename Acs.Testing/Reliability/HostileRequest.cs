using System.Net.Http.Headers;

namespace Acs.Testing.Reliability;

/// <summary>
/// One hostile request as data, so it can be sent again and through any client (the in-process test server or a
/// socket to the real service). <see cref="Host"/> null sends the client's own host; a body of null sends none.
/// </summary>
public sealed record HostileRequest(string Kind, string Method, string PathAndQuery, string? Host, byte[]? Body, string? ContentType,
    bool Chunked = false)
{
    /// <param name="baseAddress">Where to connect; the path is appended verbatim (a relative "//x" would name a host).</param>
    public HttpRequestMessage ToMessage(Uri baseAddress)
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), new Uri(baseAddress.GetLeftPart(UriPartial.Authority) + PathAndQuery));
        if (Host is not null)
        {
            message.Headers.Host = null;
            message.Headers.TryAddWithoutValidation("Host", Host);
        }

        if (Body is not null)
        {
            // Without a length the client streams the body chunked, as a proxy or a hand-written client may.
            HttpContent content = Chunked ? new StreamContent(new MemoryStream(Body, writable: false)) : new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }

            if (Chunked)
            {
                content.Headers.ContentLength = null;
                message.Headers.TransferEncodingChunked = true;
            }

            message.Content = content;
        }

        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        return message;
    }

    public override string ToString() => $"{Kind}: {Method} {Truncate(PathAndQuery)} Host={Truncate(Host)} " +
                                         $"Content-Type={Truncate(ContentType)} body={Body?.Length.ToString() ?? "none"}{(Chunked ? " chunked" : "")}";

    private static string? Truncate(string? value) => value is null || value.Length <= 80 ? value : value[..80] + "…";
}
