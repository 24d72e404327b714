using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Acs.Tests.TestInfrastructure;

/// <summary>
/// An IdP's metadata endpoint for the tests: Kestrel on a loopback port over HTTPS with a self-signed certificate for
/// "localhost". Each path answers with what the test set for it, and requests are counted per path.
/// </summary>
public sealed class MetadataServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);
    private WebApplication _app = null!;

    private MetadataServer(X509Certificate2 certificate) => Certificate = certificate;

    public X509Certificate2 Certificate { get; }

    public int Port { get; private set; }

    /// <summary>The settings that let the service under test fetch from this server: loopback, "localhost", this certificate.</summary>
    public Dictionary<string, string?> ServiceSettings(bool allowLoopback = true) => new()
    {
        ["Acs:MetadataRefresh:Enabled"] = "false",
        ["Acs:MetadataRefresh:AllowedHosts:0"] = "localhost",
        ["Acs:MetadataRefresh:AllowedHosts:1"] = "*.okta.com",
        ["Acs:MetadataRefresh:AllowLoopbackForTests"] = allowLoopback ? "true" : "false",
        ["Acs:MetadataRefresh:ServerCertificateForTests"] = Certificate.ExportCertificatePem(),
        ["Acs:MetadataRefresh:Timeout"] = "00:00:02",
        ["Acs:MetadataRefresh:RetryDelay"] = "00:00:00.010",
        ["Acs:MetadataRefresh:MaxBytes"] = "100000",
    };

    public static async Task<MetadataServer> StartAsync()
    {
        var server = new MetadataServer(CreateCertificate());
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(server.Certificate)));
        server._app = builder.Build();
        server._app.Run(async context =>
        {
            var path = context.Request.Path.Value ?? "/";
            server._hits.AddOrUpdate(path, 1, (_, n) => n + 1);
            if (server._routes.TryGetValue(path, out var respond))
            {
                await respond(context);
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }
        });
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Port = new Uri(address).Port;
        return server;
    }

    /// <summary>The https://localhost URL of a path on this server.</summary>
    public string Url(string path) => $"https://localhost:{Port}{path}";

    public int Hits(string path) => _hits.TryGetValue(path, out var n) ? n : 0;

    public void Respond(string path, Func<HttpContext, Task> respond) => _routes[path] = respond;

    public void ServeXml(string path, string xml) => Respond(path, async context =>
    {
        context.Response.ContentType = "application/samlmetadata+xml";
        await context.Response.WriteAsync(xml);
    });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate.Dispose();
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        // Through PKCS#12 so the key is one Kestrel's TLS can use on every platform.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
    }
}
