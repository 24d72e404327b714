using Acs.Core.Tenants;

namespace Acs.Data.Tenants;

/// <summary>
/// The trusted certificate columns of a read that LEFT JOINs <c>idp_certificates c</c> onto one row per certificate,
/// and the certificates those rows describe. Shared by the tenant directory and the rollover store.
/// </summary>
internal abstract class IdpCertificateColumns
{
    /// <summary>The select list for the joined certificate (alias <c>c</c>), in the names these properties map from.</summary>
    public const string Select = "c.thumbprint_sha256, c.thumbprint_sha1, c.der, c.subject, c.not_before, c.not_after, " +
                                 "c.created_at AS cert_created_at, c.left_metadata_at";

    public string? ThumbprintSha256 { get; init; }
    public string? ThumbprintSha1 { get; init; }
    public byte[]? Der { get; init; }
    public string? Subject { get; init; }
    public DateTime? NotBefore { get; init; }
    public DateTime? NotAfter { get; init; }
    public DateTime? CertCreatedAt { get; init; }
    public DateTime? LeftMetadataAt { get; init; }

    /// <summary>The certificates of the rows that have one (a tenant without certificates still yields its one row).</summary>
    public static List<IdpCertificate> CertificatesOf(IEnumerable<IdpCertificateColumns> rows) =>
        rows.Where(r => r.ThumbprintSha256 is not null)
            .Select(r => new IdpCertificate(r.ThumbprintSha256!, r.ThumbprintSha1!, r.Der!, r.Subject!, Utc(r.NotBefore!.Value),
                Utc(r.NotAfter!.Value), Utc(r.CertCreatedAt!.Value))
            { LeftMetadataAt = r.LeftMetadataAt is { } left ? Utc(left) : null })
            .ToList();

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
