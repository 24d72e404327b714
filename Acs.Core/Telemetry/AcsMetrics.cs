using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Acs.Core.Telemetry;

/// <summary>
/// The service's own instruments (meter <see cref="MeterName"/>). Attributes are bounded on purpose: outcome, error
/// code, door, certificate status. No tenant is ever an attribute: a deployment may hold 100,000 tenants, and which
/// tenant fails is what the login event log answers. Injected as a service; the instruments behind it are the process's.
/// </summary>
public sealed class AcsMetrics
{
    public const string MeterName = "AcsService";

    /// <summary>Seconds, from a millisecond (a validation) to the ten seconds a sign-in must never take.</summary>
    private static readonly double[] DurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10];

    // One meter per process, never disposed: meters of the same name from several hosts in one process (as in tests)
    // would otherwise end each other's streams in the exporter when one host stops.
    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> SignIns = Meter.CreateCounter<long>("acs.sign_in.attempts", "{attempt}",
        "Sign-in attempts at the ACS, by outcome (success, failure) and, for failures, the error code (error.type).");
    private static readonly Histogram<double> SignInDuration = Meter.CreateHistogram("acs.sign_in.duration", "s",
        "Time the sign-in use case took: validation, provisioning and the database commit, or the refusal and its login event.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    private static readonly Histogram<double> ValidationDuration = Meter.CreateHistogram("acs.saml.validation.duration", "s",
        "Time the SAML response validator took (decoding, parsing, signature checks, the assertion rules).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    private static readonly Counter<long> RateLimitRejections = Meter.CreateCounter<long>("acs.rate_limit.rejections", "{request}",
        "Requests refused with 429 by a rate limit, by door (consume, admin).");
    private static readonly Counter<long> MetadataRefreshes = Meter.CreateCounter<long>("acs.idp_metadata.refreshes", "{refresh}",
        "Refreshes of tenants' IdP metadata URLs, by outcome (unchanged, updated, pending_change, failed) and, for failures, the error code (error.type).");

    private static volatile CertificateExpiryCounts? _certificates;

    static AcsMetrics() =>
        Meter.CreateObservableGauge("acs.idp_certificates", ObserveCertificates, "{certificate}",
            "Trusted IdP signing certificates across all tenants, by status (valid, expiring within 30 days or Acs__Certificates__ExpiringWithinDays, expired).");

    /// <summary>Records one finished sign-in attempt; <paramref name="code"/> is null on success.</summary>
    public void SignInFinished(string outcome, string? code, TimeSpan elapsed)
    {
        var tags = new TagList { { TelemetryAttributes.Outcome, outcome } };
        if (code is not null)
        {
            tags.Add(TelemetryAttributes.ErrorType, code);
        }

        SignIns.Add(1, tags);
        SignInDuration.Record(elapsed.TotalSeconds, tags);
    }

    public void ValidationFinished(string? code, TimeSpan elapsed)
    {
        var tags = new TagList { { TelemetryAttributes.Outcome, code is null ? "valid" : "invalid" } };
        if (code is not null)
        {
            tags.Add(TelemetryAttributes.ErrorType, code);
        }

        ValidationDuration.Record(elapsed.TotalSeconds, tags);
    }

    public void RateLimitRejected(string door) =>
        RateLimitRejections.Add(1, new KeyValuePair<string, object?>(TelemetryAttributes.RateLimitDoor, door));

    /// <summary>Records one refresh of one tenant's IdP metadata; <paramref name="code"/> is null unless it failed.</summary>
    public void MetadataRefreshed(string outcome, string? code)
    {
        var tags = new TagList { { TelemetryAttributes.Outcome, outcome } };
        if (code is not null)
        {
            tags.Add(TelemetryAttributes.ErrorType, code);
        }

        MetadataRefreshes.Add(1, tags);
    }

    /// <summary>The latest certificate census; until the first one the gauge reports nothing rather than zeros.</summary>
    public void CertificatesCounted(CertificateExpiryCounts counts) => _certificates = counts;

    private static IEnumerable<Measurement<long>> ObserveCertificates()
    {
        if (_certificates is not { } counts)
        {
            return [];
        }

        return
        [
            new(counts.Valid, new KeyValuePair<string, object?>(TelemetryAttributes.CertificateStatus, Tenants.CertificateStatus.Valid)),
            new(counts.Expiring, new KeyValuePair<string, object?>(TelemetryAttributes.CertificateStatus, Tenants.CertificateStatus.Expiring)),
            new(counts.Expired, new KeyValuePair<string, object?>(TelemetryAttributes.CertificateStatus, Tenants.CertificateStatus.Expired)),
        ];
    }
}
