using System.Net;
using Acs.Testing.Reliability;
using Acs.Testing.TestIdp;
using Npgsql;

namespace Acs.Reliability;

/// <summary>The service under test: its loopback URL, and a fresh tenant (rows by SQL) trusting this run's test IdP key.</summary>
internal sealed class Target
{
    private Target(Uri url, string tenantHost, ReliabilitySite site, string connectionString)
    {
        Url = url;
        TenantHost = tenantHost;
        Site = site;
        ConnectionString = connectionString;
    }

    public Uri Url { get; }

    public string TenantHost { get; }

    public ReliabilitySite Site { get; }

    public string ConnectionString { get; }

    public static async Task<Target> CreateAsync(Options options, string prefix)
    {
        var url = new Uri(options.Text("url"));
        if (!IPAddress.TryParse(url.Host, out var address) || !IPAddress.IsLoopback(address))
        {
            throw new ArgumentException("--url must be a loopback address such as http://127.0.0.1:8080");
        }

        var subdomain = prefix + Guid.NewGuid().ToString("N")[..8];
        var tenantHost = $"{subdomain}.acs.localhost:{url.Port}";
        var connectionString = options.Text("db");
        await using (var db = NpgsqlDataSource.Create(connectionString))
        {
            await ReliabilitySite.CreateTenantAsync(db, subdomain, TestIdpKeys.Default.Trusted);
        }

        var site = new ReliabilitySite(subdomain, "http://" + tenantHost, TestIdpKeys.Default, () => DateTimeOffset.UtcNow);
        return new Target(url, tenantHost, site, connectionString);
    }

    public HttpClient Client(int connections, TimeSpan timeout) =>
        new(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            MaxConnectionsPerServer = connections,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        })
        {
            BaseAddress = Url,
            Timeout = timeout,
        };

    public HttpRequestMessage Login(string samlResponseBase64, bool closeConnection = false)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, new Uri(HostileInputs.ConsumePath, UriKind.Relative))
        {
            Content = new FormUrlEncodedContent([new("SAMLResponse", samlResponseBase64)]),
        };
        message.Headers.Host = TenantHost;
        message.Headers.ConnectionClose = closeConnection;
        return message;
    }
}
