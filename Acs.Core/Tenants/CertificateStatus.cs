namespace Acs.Core.Tenants;

/// <summary>How an administrator should feel about a trusted certificate's expiry.</summary>
public static class CertificateStatus
{
    public const string Valid = "valid";
    public const string Expiring = "expiring";
    public const string Expired = "expired";

    /// <summary>Within this many days of its end a certificate is shown as expiring: time to roll over.</summary>
    public const int ExpiringWithinDays = 30;

    /// <summary>Whole days left, rounded up so that the status and the number agree (expiring iff ≤ 30).</summary>
    public static int ExpiresInDays(DateTimeOffset notAfter, DateTimeOffset now) =>
        (int)Math.Ceiling((notAfter - now).TotalDays);

    public static string Of(DateTimeOffset notAfter, DateTimeOffset now) => Of(notAfter, now, ExpiringWithinDays);

    /// <summary>The same with the operator's threshold (Acs__Certificates__ExpiringWithinDays).</summary>
    public static string Of(DateTimeOffset notAfter, DateTimeOffset now, int expiringWithinDays) =>
        notAfter <= now ? Expired
        : notAfter - now <= TimeSpan.FromDays(expiringWithinDays) ? Expiring
        : Valid;
}
