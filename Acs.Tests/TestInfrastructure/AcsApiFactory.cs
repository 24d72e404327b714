using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Acs.Tests.TestInfrastructure;

/// <summary>The real HTTP pipeline over a real, isolated database, with a fake clock.</summary>
public sealed class AcsApiFactory(string connectionString, IDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    /// <summary>The same, served by Kestrel on a free loopback port, for what only a real server checks (header values).</summary>
    public static AcsApiFactory WithKestrel(string connectionString)
    {
        var factory = new AcsApiFactory(connectionString);
        factory.UseKestrel(0);
        factory.StartServer();
        return factory;
    }

    /// <summary>Where Kestrel listens (only after <see cref="WithKestrel"/>).</summary>
    public Uri KestrelAddress => new(Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
        .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First());

    public const string AdminApiKey = "test-admin-key-0123456789abcdef";
    public const string BaseDomainTemplate = "https://{subdomain}.statuspage.io";

    /// <summary>The key-encryption key the test service seals SP private keys with (32 fixed bytes, base64).</summary>
    public static readonly string KeyEncryptionKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)(i * 7)).ToArray());

    // The same instant the test IdP stamps its responses with.
    public FakeTimeProvider Clock { get; } = new(Acs.Testing.TestIdp.TestResponseBuilder.Now);

    public string ConnectionString => connectionString;

    /// <summary>Test-only service changes, applied after the service's own registrations.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Acs", connectionString);
        builder.UseSetting("Acs:PublicUrls:0", BaseDomainTemplate);
        builder.UseSetting("Acs:PublicUrls:1", "http://{subdomain}.acs.localhost");
        builder.UseSetting("Acs:AdminApiKey", AdminApiKey);
        builder.UseSetting("Acs:RateLimiting:Enabled", "false");
        builder.UseSetting("Acs:EncryptionKeys:KeyEncryptionKey", KeyEncryptionKey);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            ConfigureServices?.Invoke(services);
        });
    }

    /// <summary>A client whose requests go to the given tenant's host (the https template, or the plain-http one).</summary>
    public HttpClient CreateTenantClient(string subdomain, bool https = true)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri(https ? $"https://{subdomain}.statuspage.io" : $"http://{subdomain}.acs.localhost"),
            AllowAutoRedirect = false,
            HandleCookies = true,
        });
        return client;
    }

    /// <summary>
    /// Removes the background services that borrow pooled connections (key re-sealing, purge, metadata refresh,
    /// expiry warnings), for tests that reason about who holds the pool's connections.
    /// </summary>
    public static void WithoutPooledBackgroundWork(IServiceCollection services)
    {
        Type[] pooled =
        [
            typeof(Acs.Api.EncryptionKeys.EncryptionKeyResealService),
            typeof(Acs.Api.Retention.ExpiredDataPurgeService),
            typeof(Acs.Api.Rollover.MetadataRefreshService),
            typeof(Acs.Api.Rollover.CertificateExpiryWarningService),
        ];
        foreach (var descriptor in services.Where(d => d.ServiceType == typeof(Microsoft.Extensions.Hosting.IHostedService)
                     && pooled.Contains(d.ImplementationType)).ToList())
        {
            services.Remove(descriptor);
        }
    }

    public HttpClient CreateAdminClient()
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new("Bearer", AdminApiKey);
        return client;
    }
}
