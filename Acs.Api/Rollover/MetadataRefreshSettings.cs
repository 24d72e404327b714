using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Acs.Api.Hosting;
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
            SettingReader.Bool(configuration, "Acs:MetadataRefresh:Enabled", d.Enabled, errors),
            SettingReader.TimeSpanAtLeast(configuration, "Acs:MetadataRefresh:Interval", d.Interval, RolloverOptions.MinimumRefreshInterval, errors),
            SettingReader.TimeSpanAtLeast(configuration, "Acs:MetadataRefresh:GracePeriod", d.GracePeriod, TimeSpan.Zero, errors),
            hosts.Count > 0 ? hosts : d.AllowedHosts,
            SettingReader.TimeSpanAtLeast(configuration, "Acs:MetadataRefresh:Timeout", d.Timeout, TimeSpan.FromMilliseconds(100), errors),
            SettingReader.TimeSpanAtLeast(configuration, "Acs:MetadataRefresh:RetryDelay", d.RetryDelay, TimeSpan.Zero, errors),
            SettingReader.PositiveInt(configuration, "Acs:MetadataRefresh:MaxBytes", d.MaxBytes, errors),
            SettingReader.PositiveInt(configuration, "Acs:Certificates:ExpiringWithinDays", d.ExpiringWithinDays, errors),
            SettingReader.Bool(configuration, "Acs:MetadataRefresh:AllowLoopbackForTests", false, errors),
            testCertificate);
    }

    private static bool IsHostPattern(string host)
    {
        var name = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
        return Uri.CheckHostName(name) == UriHostNameType.Dns;
    }
}
