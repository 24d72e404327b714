using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Acs.Core.Rollover;
using Polly.Timeout;

namespace Acs.Api.Rollover;

/// <summary>
/// Fetches IdP metadata without becoming a way into the inside network: https only, to allow-listed hosts, redirects
/// followed here one by one and only to allow-listed hosts, every connection made to an address checked on the
/// connected socket (<see cref="SafeConnector"/>), a size cap and a time limit. Retries of transient failures come
/// from the HTTP client's resilience pipeline (<see cref="RolloverServiceCollectionExtensions"/>).
/// </summary>
public sealed class HttpMetadataSource(IHttpClientFactory clients, MetadataRefreshSettings settings, RolloverOptions options) : IMetadataSource
{
    public const string ClientName = "idp-metadata";
    public const int MaxRedirects = 3;

    public async Task<MetadataFetchResult> FetchAsync(Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        // Reading the body is outside the pipeline's timeout: one limit covers all of it. Network time is wall-clock time.
        using var limit = new CancellationTokenSource(settings.Timeout, TimeProvider.System);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        try
        {
            return await FetchCoreAsync(url, linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TimedOut();
        }
        catch (TimeoutRejectedException)
        {
            return TimedOut();
        }
        catch (HttpRequestException ex) when (SafeConnector.RefusalIn(ex) is { } refusal)
        {
            return MetadataFetchResult.Fail(MetadataFetchErrorCodes.AddressRefused, refusal.Message);
        }
        catch (HttpRequestException ex)
        {
            return MetadataFetchResult.Fail(MetadataFetchErrorCodes.Unreachable, $"The metadata server could not be reached: {ex.Message}");
        }
    }

    private async Task<MetadataFetchResult> FetchCoreAsync(Uri url, CancellationToken cancellationToken)
    {
        var client = clients.CreateClient(ClientName);
        var current = url;
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, current);
            request.Headers.Accept.ParseAdd("application/samlmetadata+xml, application/xml;q=0.9, text/xml;q=0.8");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (IsRedirect(response.StatusCode))
            {
                if (response.Headers.Location is not { } location)
                {
                    return MetadataFetchResult.Fail(MetadataFetchErrorCodes.RedirectRefused, $"The server answered {(int)response.StatusCode} without a Location.");
                }

                var next = location.IsAbsoluteUri ? location : new Uri(current, location);
                if (MetadataUrlRules.Check(next.AbsoluteUri, options.AllowedHosts) is { } refused)
                {
                    return MetadataFetchResult.Fail(MetadataFetchErrorCodes.RedirectRefused,
                        $"The metadata URL redirects to {next.GetLeftPart(UriPartial.Path)}, which is not followed: {refused.Message}");
                }

                if (hop == MaxRedirects)
                {
                    return MetadataFetchResult.Fail(MetadataFetchErrorCodes.TooManyRedirects, $"The metadata URL redirects more than {MaxRedirects} times.");
                }

                current = next;
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                return MetadataFetchResult.Fail(MetadataFetchErrorCodes.HttpStatus,
                    $"The metadata server answered {(int)response.StatusCode} {response.ReasonPhrase} (after retries where that can help).");
            }

            if (response.Content.Headers.ContentLength > settings.MaxBytes)
            {
                return TooLarge();
            }

            var body = await ReadCappedAsync(response.Content, settings.MaxBytes, cancellationToken);
            return body is null ? TooLarge() : MetadataFetchResult.Ok(body);
        }
    }

    private static async Task<byte[]?> ReadCappedAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private MetadataFetchResult TooLarge() =>
        MetadataFetchResult.Fail(MetadataFetchErrorCodes.TooLarge, $"The metadata is larger than {settings.MaxBytes / 1024} KiB (Acs__MetadataRefresh__MaxBytes).");

    private MetadataFetchResult TimedOut() =>
        MetadataFetchResult.Fail(MetadataFetchErrorCodes.Timeout, $"The metadata server did not answer within {settings.Timeout.TotalSeconds:0.#} s (Acs__MetadataRefresh__Timeout).");
}

/// <summary>Why a connection was not made: the address is not one metadata may come from.</summary>
public sealed class MetadataAddressRefusedException(string message) : IOException(message);

/// <summary>
/// The connect step of the metadata client: resolves the name, refuses inside addresses, connects to an allowed one and
/// checks the connected socket's peer again, so the address checked is the address talked to (DNS rebinding gains nothing).
/// </summary>
public static class SafeConnector
{
    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowLoopback, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        Exception? last = null;
        foreach (var address in addresses)
        {
            if (!IsAllowed(address, allowLoopback))
            {
                last = Refused(endpoint.Host, address);
                continue;
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken);
                if (socket.RemoteEndPoint is not IPEndPoint peer || !IsAllowed(peer.Address, allowLoopback))
                {
                    throw Refused(endpoint.Host, (socket.RemoteEndPoint as IPEndPoint)?.Address ?? address);
                }

                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new MetadataAddressRefusedException($"'{endpoint.Host}' resolves to no address.");
    }

    public static bool IsAllowed(IPAddress address, bool allowLoopback) =>
        !MetadataAddressRules.IsForbidden(address) || (allowLoopback && MetadataAddressRules.IsLoopback(address));

    /// <summary>The refusal behind an HTTP client failure, if that is what it was.</summary>
    public static MetadataAddressRefusedException? RefusalIn(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is MetadataAddressRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }

    /// <summary>The TLS check: the system's, or, with a test certificate configured, that exact certificate too.</summary>
    public static RemoteCertificateValidationCallback? CertificateCheck(MetadataRefreshSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.ServerCertificateForTests is not { } pinned)
        {
            return null;
        }

        return (_, certificate, _, errors) => errors == SslPolicyErrors.None
            || (certificate is not null && certificate.GetCertHashString() == pinned.GetCertHashString());
    }

    private static MetadataAddressRefusedException Refused(string host, IPAddress address) =>
        new($"'{host}' resolves to {address}, a private, loopback, link-local or otherwise internal address; metadata is fetched from public addresses only.");
}
