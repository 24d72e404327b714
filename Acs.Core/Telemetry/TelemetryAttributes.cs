using System.Diagnostics;

namespace Acs.Core.Telemetry;

/// <summary>Attribute names, and the activity source of the sign-in traces.</summary>
public static class TelemetryAttributes
{
    /// <summary>The activity source whose spans cover the sign-in; Npgsql's spans nest under them.</summary>
    public const string ActivitySourceName = "AcsService";

    /// <summary><c>success</c> or <c>failure</c> for sign-ins, <c>valid</c> or <c>invalid</c> for validation.</summary>
    public const string Outcome = "acs.outcome";

    /// <summary>The OpenTelemetry semantic-convention attribute for the class of error: here the stable error code.</summary>
    public const string ErrorType = "error.type";

    public const string RateLimitDoor = "acs.rate_limit.door";

    public const string CertificateStatus = "acs.certificate.status";

    /// <summary>On spans only (never on metrics): which tenant, for following one sign-in.</summary>
    public const string TenantSubdomain = "acs.tenant.subdomain";

    internal static readonly ActivitySource Source = new(ActivitySourceName);
}
