namespace Acs.Core.Rollover;

/// <summary>How IdP metadata is refreshed and reconciled; the host fills it from its settings.</summary>
/// <param name="RefreshInterval">The longest time between two refreshes of one tenant's metadata.</param>
/// <param name="GracePeriod">How long a certificate that left the metadata stays trusted.</param>
/// <param name="AllowedHosts">Host names the metadata may come from; <c>*.example.com</c> matches any subdomain of example.com.</param>
public sealed record RolloverOptions(TimeSpan RefreshInterval, TimeSpan GracePeriod, IReadOnlyList<string> AllowedHosts)
{
    /// <summary>A metadata document asking for an earlier refresh (validUntil, cacheDuration) gets it, but not sooner than this.</summary>
    public static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromMinutes(5);

    /// <summary>After a failure the next try comes sooner than the normal interval, but not in a loop.</summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMinutes(30);

    public static readonly IReadOnlyList<string> DefaultAllowedHosts =
    [
        "login.microsoftonline.com", "login.microsoftonline.us", "*.okta.com", "*.oktapreview.com", "accounts.google.com",
        "*.onelogin.com", "*.pingone.com", "*.auth0.com", "*.jumpcloud.com",
    ];

    public static RolloverOptions Default { get; } = new(TimeSpan.FromHours(6), TimeSpan.FromDays(7), DefaultAllowedHosts);
}

/// <summary>When a certificate counts as expiring; the host fills it from its settings.</summary>
public sealed record CertificateExpiryOptions(int ExpiringWithinDays)
{
    public static CertificateExpiryOptions Default { get; } = new(Tenants.CertificateStatus.ExpiringWithinDays);
}
