using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Acs.Api.EncryptionKeys;
using Acs.Core.Manage;
using Acs.Core.Tenants;

namespace Acs.Api.Hosting;

/// <summary>The service's settings, read once from configuration (environment variables in production).</summary>
public sealed record AcsSettings(
    string ConnectionString,
    IReadOnlyList<PublicUrlTemplate> PublicUrls,
    string AdminApiKey,
    IReadOnlyList<IPAddress> TrustedProxies,
    TimeSpan SessionLifetime,
    RateLimitSettings RateLimits,
    int LoginEventRetentionDays,
    bool DevelopmentIdpEnabled,
    int DatabaseMaxPoolSize,
    byte[] SignInBindingKey)
{
    public const int MinimumAdminApiKeyLength = 16;
    public const int MinimumSignInBindingKeyLength = 32;

    /// <summary>
    /// Connections one replica may hold. PostgreSQL's default <c>max_connections</c> is 100: replicas × this must
    /// stay well under it, with room for migrations, operators and monitoring.
    /// </summary>
    public const int DefaultDatabaseMaxPoolSize = 20;

    /// <summary>The key-encryption keys that seal SP private keys at rest (optional).</summary>
    public KeyEncryptionKeySettings KeyEncryption { get; init; } = KeyEncryptionKeySettings.None;

    /// <summary>
    /// The port of its own that serves <c>/metrics</c> (and nothing else); null: <c>/metrics</c> is on the main port,
    /// answered only for a Host that is no tenant site.
    /// </summary>
    public int? MetricsPort { get; init; }

    /// <summary>
    /// Whether sign-in spans are recorded. By default only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names a collector:
    /// spans nobody receives still cost every sign-in their allocations and tags.
    /// </summary>
    public bool TracingEnabled { get; init; }

    /// <summary>IdP metadata refresh and the certificate expiry threshold.</summary>
    public Rollover.MetadataRefreshSettings MetadataRefresh { get; init; } = Rollover.MetadataRefreshSettings.Default;
    /// <summary>How long an operator's setup link, and the setup session it opens, last.</summary>
    public ManageOptions Manage { get; init; } = ManageOptions.Default;

    /// <summary>Reads and checks every setting; on failure returns one line per problem, naming the variable to set.</summary>
    public static (AcsSettings? Settings, IReadOnlyList<string> Errors) Load(IConfiguration configuration)
    {
        var errors = new List<string>();

        var connectionString = configuration.GetConnectionString("Acs");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            errors.Add("ConnectionStrings__Acs is not set: give the Npgsql connection string of the PostgreSQL database, e.g. Host=localhost;Port=5432;Database=acs;Username=acs;Password=...");
        }

        var templates = new List<PublicUrlTemplate>();
        var rawTemplates = configuration.GetSection("Acs:PublicUrls").GetChildren().Select(c => c.Value).ToList();
        if (rawTemplates.Count == 0)
        {
            errors.Add("Acs__PublicUrls__0 is not set: give the public URL template of tenant sites, e.g. https://{subdomain}.statuspage.io");
        }

        for (var i = 0; i < rawTemplates.Count; i++)
        {
            if (PublicUrlTemplate.TryParse(rawTemplates[i], out var template, out var error))
            {
                templates.Add(template!);
            }
            else
            {
                errors.Add($"Acs__PublicUrls__{i} {error}");
            }
        }

        var adminApiKey = configuration["Acs:AdminApiKey"];
        if (string.IsNullOrWhiteSpace(adminApiKey) || adminApiKey.Length < MinimumAdminApiKeyLength)
        {
            errors.Add($"Acs__AdminApiKey is not set or shorter than {MinimumAdminApiKeyLength} characters: set a long random operator key (e.g. openssl rand -hex 32)");
        }

        var proxies = new List<IPAddress>();
        // A blank entry is "none" (compose passes an unset optional variable as an empty string).
        foreach (var child in configuration.GetSection("Acs:TrustedProxies").GetChildren().Where(c => !string.IsNullOrWhiteSpace(c.Value)))
        {
            if (IPAddress.TryParse(child.Value, out var address))
            {
                proxies.Add(address);
            }
            else
            {
                errors.Add($"Acs__TrustedProxies__{child.Key} '{child.Value}' is not an IP address");
            }
        }

        var lifetime = TimeSpan.FromHours(8);
        var rawLifetime = configuration["Acs:Session:Lifetime"];
        if (!string.IsNullOrWhiteSpace(rawLifetime)
            && (!TimeSpan.TryParse(rawLifetime, CultureInfo.InvariantCulture, out lifetime) || lifetime <= TimeSpan.Zero))
        {
            errors.Add($"Acs__Session__Lifetime '{rawLifetime}' is not a positive time span such as 08:00:00");
        }

        var rateLimits = new RateLimitSettings(
            SettingReader.Bool(configuration, "Acs:RateLimiting:Enabled", true, errors),
            SettingReader.PositiveInt(configuration, "Acs:RateLimiting:ConsumePerAddressPerMinute", 1200, errors),
            SettingReader.PositiveInt(configuration, "Acs:RateLimiting:ConsumePerTenantPerMinute", 6000, errors),
            SettingReader.PositiveInt(configuration, "Acs:RateLimiting:AdminPerAddressPerMinute", 600, errors));
        var retentionDays = SettingReader.PositiveInt(configuration, "Acs:LoginEvents:RetentionDays", 90, errors);
        var devIdp = SettingReader.Bool(configuration, "Acs:DevelopmentIdp:Enabled", false, errors);
        var maxPoolSize = SettingReader.PositiveInt(configuration, "Acs:Database:MaxPoolSize", DefaultDatabaseMaxPoolSize, errors);

        var bindingSecret = configuration["Acs:SignIn:BindingKey"];
        if (!string.IsNullOrEmpty(bindingSecret) && bindingSecret.Length < MinimumSignInBindingKeyLength)
        {
            errors.Add($"Acs__SignIn__BindingKey is shorter than {MinimumSignInBindingKeyLength} characters: set a long random secret (e.g. openssl rand -hex 32), " +
                       "the same on every replica, or leave it unset to derive one from Acs__AdminApiKey");
        }

        var keyEncryption = KeyEncryptionKeySettings.Read(configuration, errors);
        var metadataRefresh = Rollover.MetadataRefreshSettings.Read(configuration, errors);

        var manage = new ManageOptions(
            SettingReader.PositiveTimeSpan(configuration, "Acs:Manage:SetupLinkLifetime", ManageOptions.DefaultSetupLinkLifetime,
                "7.00:00:00", errors),
            SettingReader.PositiveTimeSpan(configuration, "Acs:Manage:SetupSessionLifetime",
                ManageOptions.DefaultSetupSessionLifetime, "04:00:00", errors));
        if (manage.SetupSessionLifetime > TimeSpan.FromHours(24))
        {
            errors.Add($"Acs__Manage__SetupSessionLifetime '{manage.SetupSessionLifetime}' is longer than a day: a setup session lasts hours (e.g. 04:00:00)");
        }

        var tracing = SettingReader.Bool(configuration, "Acs:Tracing:Enabled",
            !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]), errors);

        int? metricsPort = null;
        var rawMetricsPort = configuration["Acs:Metrics:Port"];
        if (!string.IsNullOrWhiteSpace(rawMetricsPort))
        {
            if (int.TryParse(rawMetricsPort, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535)
            {
                metricsPort = port;
            }
            else
            {
                errors.Add($"Acs__Metrics__Port '{rawMetricsPort}' is not a TCP port (1-65535); leave it unset to serve /metrics on the main port");
            }
        }

        return errors.Count > 0
            ? (null, errors)
            : (new AcsSettings(connectionString!, templates, adminApiKey!, proxies, lifetime, rateLimits, retentionDays, devIdp, maxPoolSize,
                SignInBindingKeyFrom(string.IsNullOrEmpty(bindingSecret) ? adminApiKey! : bindingSecret))
            {
                KeyEncryption = keyEncryption,
                MetricsPort = metricsPort,
                TracingEnabled = tracing,
                MetadataRefresh = metadataRefresh,
                Manage = manage,
            }, errors);
    }

    /// <summary>
    /// The HMAC key of the SP-initiated sign-in binding cookie. Derived (HMAC-SHA256 with a fixed label) from
    /// Acs__SignIn__BindingKey, or else from Acs__AdminApiKey: a secret every replica already shares, and the cookie
    /// value never reveals it. Changing the secret only invalidates sign-ins started in the last few minutes.
    /// </summary>
    private static byte[] SignInBindingKeyFrom(string secret) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), "AcsService sign-in request binding v1"u8);
}

/// <summary>
/// Request budgets per minute (token buckets that refill continuously). Generous by default: a whole company signing
/// in at 9:00 from one NAT address must never be locked out.
/// </summary>
public sealed record RateLimitSettings(bool Enabled, int ConsumePerAddressPerMinute, int ConsumePerTenantPerMinute, int AdminPerAddressPerMinute);
