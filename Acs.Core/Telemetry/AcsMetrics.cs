using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Acs.Core.Telemetry;

/// <summary>
/// The service's own instruments (meter <see cref="MeterName"/>). Attributes are bounded on purpose: outcome, error
/// code, door, certificate status. No tenant is ever an attribute: a deployment may hold 100,000 tenants, and which
/// tenant fails is what the login event log answers.
/// </summary>
public sealed class AcsMetrics : IDisposable
{
    public const string MeterName = "AcsService";

    /// <summary>Seconds, from a millisecond (a validation) to the ten seconds a sign-in must never take.</summary>
    private static readonly double[] DurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10];

    private readonly Meter _meter;
    private readonly Counter<long> _signIns;
    private readonly Histogram<double> _signInDuration;
    private readonly Histogram<double> _validationDuration;
    private readonly Counter<long> _rateLimitRejections;
    private volatile CertificateExpiryCounts? _certificates;

    public AcsMetrics(IMeterFactory? meterFactory)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _signIns = _meter.CreateCounter<long>("acs.sign_in.attempts", "{attempt}",
            "Sign-in attempts at the ACS, by outcome (success, failure) and, for failures, the error code (error.type).");
        _signInDuration = _meter.CreateHistogram("acs.sign_in.duration", "s",
            "Time the sign-in use case took: validation, provisioning and the database commit, or the refusal and its login event.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _validationDuration = _meter.CreateHistogram("acs.saml.validation.duration", "s",
            "Time the SAML response validator took (decoding, parsing, signature checks, the assertion rules).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _rateLimitRejections = _meter.CreateCounter<long>("acs.rate_limit.rejections", "{request}",
            "Requests refused with 429 by a rate limit, by door (consume, admin).");
        _meter.CreateObservableGauge("acs.idp_certificates", ObserveCertificates, "{certificate}",
            "Trusted IdP signing certificates across all tenants, by status (valid, expiring within 30 days, expired).");
    }

    /// <summary>Records one finished sign-in attempt; <paramref name="code"/> is null on success.</summary>
    public void SignInFinished(string outcome, string? code, TimeSpan elapsed)
    {
        var tags = new TagList { { TelemetryAttributes.Outcome, outcome } };
        if (code is not null)
        {
            tags.Add(TelemetryAttributes.ErrorType, code);
        }

        _signIns.Add(1, tags);
        _signInDuration.Record(elapsed.TotalSeconds, tags);
    }

    public void ValidationFinished(string? code, TimeSpan elapsed)
    {
        var tags = new TagList { { TelemetryAttributes.Outcome, code is null ? "valid" : "invalid" } };
        if (code is not null)
        {
            tags.Add(TelemetryAttributes.ErrorType, code);
        }

        _validationDuration.Record(elapsed.TotalSeconds, tags);
    }

    public void RateLimitRejected(string door) =>
        _rateLimitRejections.Add(1, new KeyValuePair<string, object?>(TelemetryAttributes.RateLimitDoor, door));

    /// <summary>The latest certificate census; until the first one the gauge reports nothing rather than zeros.</summary>
    public void CertificatesCounted(CertificateExpiryCounts counts) => _certificates = counts;

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveCertificates()
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
