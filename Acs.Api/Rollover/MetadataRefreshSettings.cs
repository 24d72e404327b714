using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Acs.Core.Rollover;
using Acs.Core.Saml.Metadata;

namespace Acs.Api.Rollover;

/// <summary>
/// IdP metadata refresh, from <c>Acs__MetadataRefresh__*</c>, and the expiry warning threshold from
/// <c>Acs__Certificates__ExpiringWithinDays</c>.
/// </summary>
/// <param name="Enabled">Whether this replica runs the scheduled refresh (fetch on save works either way).</param>
/// <param name="Timeout">One fetch, retries included.</param>
/// <param name="RetryDelay">The first retry's delay; each next one doubles, with jitter.</param>
/// <param name="AllowLoopbackForTests">Test-only: lets the fetcher connect to loopback addresses (an in-test metadata server).</param>
/// <param name="ServerCertificateForTests">Test-only: a TLS server certificate accepted besides the system's trust store.</param>
public sealed record MetadataRefreshSettings(
    bool Enabled,
    TimeSpan Interval,
    TimeSpan GracePeriod,
    IReadOnlyList<string> AllowedHosts,
    TimeSpan Timeout,
    TimeSpan RetryDelay,
    int MaxBytes,
    int ExpiringWithinDays,
    bool AllowLoopbackForTests,
    X509Certificate2? ServerCertificateForTests)
{
    public const int MaxRetries = 3;

    public static MetadataRefreshSettings Default { get; } = new(true, RolloverOptions.Default.RefreshInterval, RolloverOptions.Default.GracePeriod,
        RolloverOptions.DefaultAllowedHosts, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), (int)IdpMetadataParser.MaxCharacters,
        CertificateExpiryOptions.Default.ExpiringWithinDays, false, null);

    public RolloverOptions ToRolloverOptions() => new(Interval, GracePeriod, AllowedHosts);

    public static MetadataRefreshSettings Read(IConfiguration configuration, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(errors);
        var d = Default;
        // Each entry may also be a comma-separated list: compose passes the whole list in one variable.
        var hosts = configuration.GetSection("Acs:MetadataRefresh:AllowedHosts").GetChildren()
            .SelectMany(c => (c.Value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToList();
        foreach (var host in hosts.Where(h => !IsHostPattern(h)))
        {
            errors.Add($"Acs__MetadataRefresh__AllowedHosts entry '{host}' is not a host name or *.domain pattern");
        }

        X509Certificate2? testCertificate = null;
        if (configuration["Acs:MetadataRefresh:ServerCertificateForTests"] is { Length: > 0 } pem)
        {
            try
            {
                testCertificate = X509Certificate2.CreateFromPem(pem);
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                errors.Add("Acs__MetadataRefresh__ServerCertificateForTests is not a PEM certificate");
            }
        }

        return new MetadataRefreshSettings(
            ReadBool(configuration, "Acs:MetadataRefresh:Enabled", "Acs__MetadataRefresh__Enabled", d.Enabled, errors),
            ReadSpan(configuration, "Acs:MetadataRefresh:Interval", "Acs__MetadataRefresh__Interval", d.Interval, RolloverOptions.MinimumRefreshInterval, errors),
            ReadSpan(configuration, "Acs:MetadataRefresh:GracePeriod", "Acs__MetadataRefresh__GracePeriod", d.GracePeriod, TimeSpan.Zero, errors),
            hosts.Count > 0 ? hosts : d.AllowedHosts,
            ReadSpan(configuration, "Acs:MetadataRefresh:Timeout", "Acs__MetadataRefresh__Timeout", d.Timeout, TimeSpan.FromMilliseconds(100), errors),
            ReadSpan(configuration, "Acs:MetadataRefresh:RetryDelay", "Acs__MetadataRefresh__RetryDelay", d.RetryDelay, TimeSpan.Zero, errors),
            ReadInt(configuration, "Acs:MetadataRefresh:MaxBytes", "Acs__MetadataRefresh__MaxBytes", d.MaxBytes, errors),
            ReadInt(configuration, "Acs:Certificates:ExpiringWithinDays", "Acs__Certificates__ExpiringWithinDays", d.ExpiringWithinDays, errors),
            ReadBool(configuration, "Acs:MetadataRefresh:AllowLoopbackForTests", "Acs__MetadataRefresh__AllowLoopbackForTests", false, errors),
            testCertificate);
    }

    private static bool IsHostPattern(string host)
    {
        var name = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
        return Uri.CheckHostName(name) == UriHostNameType.Dns;
    }

    private static TimeSpan ReadSpan(IConfiguration configuration, string key, string variable, TimeSpan fallback, TimeSpan minimum, List<string> errors)
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }

        if (TimeSpan.TryParse(raw, CultureInfo.InvariantCulture, out var value) && value >= minimum)
        {
            return value;
        }

        errors.Add($"{variable} '{raw}' is not a time span of at least {minimum} (e.g. 06:00:00, or 7.00:00:00 for seven days)");
        return fallback;
    }

    private static int ReadInt(IConfiguration configuration, string key, string variable, int fallback, List<string> errors)
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }

        if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            return value;
        }

        errors.Add($"{variable} '{raw}' is not a positive whole number");
        return fallback;
    }

    private static bool ReadBool(IConfiguration configuration, string key, string variable, bool fallback, List<string> errors)
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }

        if (bool.TryParse(raw, out var value))
        {
            return value;
        }

        errors.Add($"{variable} '{raw}' is not true or false");
        return fallback;
    }
}
