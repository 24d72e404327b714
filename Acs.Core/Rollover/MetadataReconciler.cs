using Acs.Core.Audit;
using Acs.Core.Certificates;
using Acs.Core.Saml.Metadata;
using Acs.Core.Tenants;

namespace Acs.Core.Rollover;

/// <summary>An entity ID or SSO URL the metadata now names, waiting for an administrator.</summary>
public sealed record PendingIdpChange(string IdpEntityId, string SsoTargetUrl, DateTimeOffset DetectedAt, bool Dismissed);

/// <summary>The trusted side as stored: what the metadata is compared with.</summary>
public sealed record TrustedIdp(string IdpEntityId, string SsoTargetUrl, IReadOnlyList<IdpCertificate> Certificates, PendingIdpChange? Pending);

/// <summary>What one refresh changes. Empty lists and an unchanged pending change mean "nothing to write".</summary>
/// <param name="Add">Certificates new in the metadata: trusted at once, beside the old ones.</param>
/// <param name="MarkLeft">Thumbprints of trusted certificates the metadata no longer lists: their grace period starts.</param>
/// <param name="Unmark">Thumbprints back in the metadata before their grace ended.</param>
/// <param name="Remove">Thumbprints whose grace period is over.</param>
/// <param name="SsoTargetUrl">The SSO URL to store; it changes only when a pending change is applied.</param>
/// <param name="Pending">The pending change after this refresh (null: none).</param>
public sealed record RolloverPlan(
    IReadOnlyList<TrustedCertificate> Add,
    IReadOnlyList<string> MarkLeft,
    IReadOnlyList<string> Unmark,
    IReadOnlyList<string> Remove,
    PendingIdpChange? Pending,
    bool PendingChanged,
    IReadOnlyList<AuditEntry> Events)
{
    public bool ChangesTrust => Add.Count + MarkLeft.Count + Unmark.Count + Remove.Count > 0;

    public bool IsEmpty => !ChangesTrust && !PendingChanged;
}

/// <summary>
/// Decides what a freshly fetched metadata document changes. New certificates are trusted at once; a certificate
/// that left the metadata stays trusted for the grace period, then goes; the entity ID or SSO URL never changes here:
/// it becomes a pending change for an administrator. While the entity ID differs the metadata may be another IdP's,
/// so its certificates are not trusted either until the change is applied.
/// </summary>
public static class MetadataReconciler
{
    public static RolloverPlan Reconcile(TrustedIdp trusted, IdpMetadata metadata, DateTimeOffset now, TimeSpan gracePeriod)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        ArgumentNullException.ThrowIfNull(metadata);
        var events = new List<AuditEntry>();

        var entityChanged = !string.Equals(metadata.EntityId, trusted.IdpEntityId, StringComparison.Ordinal);
        var urlChanged = !string.Equals(metadata.SsoTargetUrl, trusted.SsoTargetUrl, StringComparison.Ordinal);
        var pending = trusted.Pending;
        var pendingChanged = false;
        if (entityChanged || urlChanged)
        {
            var same = pending is not null && pending.IdpEntityId == metadata.EntityId && pending.SsoTargetUrl == metadata.SsoTargetUrl;
            if (!same)
            {
                pending = new PendingIdpChange(metadata.EntityId, metadata.SsoTargetUrl, now, Dismissed: false);
                pendingChanged = true;
                events.Add(new AuditEntry(AuditActions.IdpChangePending, null, Describe(trusted, metadata)));
            }
        }
        else if (pending is not null)
        {
            pending = null;
            pendingChanged = true;
            events.Add(new AuditEntry(AuditActions.IdpChangeWithdrawn, null,
                "The metadata names the trusted entity ID and SSO URL again; the pending change is withdrawn."));
        }

        if (entityChanged)
        {
            return new RolloverPlan([], [], [], [], pending, pendingChanged, events);
        }

        var listed = metadata.SigningCertificates.Select(c => c.ThumbprintSha256).ToHashSet(StringComparer.Ordinal);
        var trustedByThumbprint = trusted.Certificates.ToDictionary(c => c.ThumbprintSha256, StringComparer.Ordinal);

        var add = metadata.SigningCertificates.Where(c => !trustedByThumbprint.ContainsKey(c.ThumbprintSha256)).ToList();
        events.AddRange(add.Select(c => new AuditEntry(AuditActions.CertificateAdded, c.ThumbprintSha256,
            $"New signing certificate in the metadata, trusted beside the others: {c.Subject}, valid until {c.NotAfter:u}.")));

        var unmark = trusted.Certificates.Where(c => c.LeftMetadataAt is not null && listed.Contains(c.ThumbprintSha256)).ToList();
        events.AddRange(unmark.Select(c => new AuditEntry(AuditActions.CertificateBackInMetadata, c.ThumbprintSha256,
            $"The certificate {c.Subject} is listed in the metadata again; it stays trusted.")));

        var markLeft = new List<IdpCertificate>();
        var remove = new List<IdpCertificate>();
        foreach (var certificate in trusted.Certificates.Where(c => !listed.Contains(c.ThumbprintSha256)))
        {
            if (certificate.LeftMetadataAt is not { } leftAt)
            {
                markLeft.Add(certificate);
            }
            else if (now - leftAt >= gracePeriod)
            {
                remove.Add(certificate);
            }
        }

        events.AddRange(markLeft.Select(c => new AuditEntry(AuditActions.CertificateLeftMetadata, c.ThumbprintSha256,
            $"The certificate {c.Subject} is no longer in the metadata; it stays trusted until {(now + gracePeriod):u}, then is removed.")));
        events.AddRange(remove.Select(c => new AuditEntry(AuditActions.CertificateRemoved, c.ThumbprintSha256,
            $"The certificate {c.Subject} left the metadata at {c.LeftMetadataAt:u}; its grace period is over and it is no longer trusted.")));

        return new RolloverPlan(add, markLeft.Select(c => c.ThumbprintSha256).ToList(), unmark.Select(c => c.ThumbprintSha256).ToList(),
            remove.Select(c => c.ThumbprintSha256).ToList(), pending, pendingChanged, events);
    }

    /// <summary>
    /// When to fetch next: the interval, or sooner when the metadata's validUntil or cacheDuration says so (never
    /// sooner than the minimum), less up to a tenth for jitter (<paramref name="jitter"/> in [0, 1)) so that
    /// tenants saved together do not stay in step.
    /// </summary>
    public static DateTimeOffset NextRefresh(IdpMetadata? metadata, DateTimeOffset now, TimeSpan interval, double jitter)
    {
        var wait = interval;
        if (metadata?.CacheDuration is { } cache && cache < wait)
        {
            wait = cache;
        }

        if (metadata?.ValidUntil is { } validUntil && validUntil - now < wait)
        {
            wait = validUntil - now;
        }

        if (wait < RolloverOptions.MinimumRefreshInterval)
        {
            wait = RolloverOptions.MinimumRefreshInterval;
        }

        return now + wait - (wait * (Math.Clamp(jitter, 0, 1) / 10));
    }

    private static string Describe(TrustedIdp trusted, IdpMetadata metadata)
    {
        var parts = new List<string>();
        if (metadata.EntityId != trusted.IdpEntityId)
        {
            parts.Add($"entity ID '{trusted.IdpEntityId}' → '{metadata.EntityId}' (its certificates are not trusted until the change is applied)");
        }

        if (metadata.SsoTargetUrl != trusted.SsoTargetUrl)
        {
            parts.Add($"SSO URL '{trusted.SsoTargetUrl}' → '{metadata.SsoTargetUrl}'");
        }

        return $"The metadata changes the {string.Join(" and the ", parts)}; waiting for an administrator to apply or dismiss it.";
    }
}
