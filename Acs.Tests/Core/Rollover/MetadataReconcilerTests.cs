using Acs.Core.Audit;
using Acs.Core.Certificates;
using Acs.Core.Rollover;
using Acs.Core.Saml.Metadata;
using Acs.Core.Tenants;
using Acs.Testing.Certificates;

namespace Acs.Tests.Core.Rollover;

public sealed class MetadataReconcilerTests
{
    private const string EntityId = "https://sts.windows.net/11111111-2222-3333-4444-555555555555/";
    private const string SsoUrl = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/saml2";
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Grace = TimeSpan.FromDays(7);
    private static readonly TrustedCertificate Old = Trusted("Old");
    private static readonly TrustedCertificate New = Trusted("New");

    [Test]
    public void Reconcile_NewCertificateInMetadata_IsAddedBesideTheOld()
    {
        var plan = MetadataReconciler.Reconcile(Idp(Stored(Old)), Metadata(Old, New), Now, Grace);

        Assert.That(plan.Add.Select(c => c.ThumbprintSha256), Is.EqualTo(new[] { New.ThumbprintSha256 }));
        Assert.That(plan.Remove, Is.Empty);
        Assert.That(plan.MarkLeft, Is.Empty);
        Assert.That(plan.Events.Select(e => e.Action), Is.EqualTo(new[] { AuditActions.CertificateAdded }));
    }

    [Test]
    public void Reconcile_SameMetadata_ChangesNothing()
    {
        var plan = MetadataReconciler.Reconcile(Idp(Stored(Old), Stored(New)), Metadata(Old, New), Now, Grace);

        Assert.That(plan.IsEmpty, Is.True);
        Assert.That(plan.Events, Is.Empty);
    }

    [Test]
    public void Reconcile_CertificateGoneFromMetadata_StaysTrustedAndItsGraceStarts()
    {
        var plan = MetadataReconciler.Reconcile(Idp(Stored(Old), Stored(New)), Metadata(New), Now, Grace);

        Assert.That(plan.MarkLeft, Is.EqualTo(new[] { Old.ThumbprintSha256 }));
        Assert.That(plan.Remove, Is.Empty, "removed only after the grace period");
        Assert.That(plan.Events.Single().Action, Is.EqualTo(AuditActions.CertificateLeftMetadata));
    }

    [Test]
    public void Reconcile_CertificateGoneWithinGrace_IsKept()
    {
        var plan = MetadataReconciler.Reconcile(Idp(Stored(Old, leftAt: Now - Grace + TimeSpan.FromMinutes(1)), Stored(New)), Metadata(New), Now, Grace);

        Assert.That(plan.IsEmpty, Is.True);
    }

    [Test]
    public void Reconcile_CertificateGoneForTheGracePeriod_IsRemoved()
    {
        var plan = MetadataReconciler.Reconcile(Idp(Stored(Old, leftAt: Now - Grace), Stored(New)), Metadata(New), Now, Grace);

        Assert.That(plan.Remove, Is.EqualTo(new[] { Old.ThumbprintSha256 }));
        Assert.That(plan.Events.Single().Action, Is.EqualTo(AuditActions.CertificateRemoved));
    }

    [Test]
    public void Reconcile_CertificateBackInMetadata_IsUnmarked()
    {
        var plan = MetadataReconciler.Reconcile(Idp(Stored(Old, leftAt: Now.AddDays(-1)), Stored(New)), Metadata(Old, New), Now, Grace);

        Assert.That(plan.Unmark, Is.EqualTo(new[] { Old.ThumbprintSha256 }));
        Assert.That(plan.Remove, Is.Empty);
    }

    [Test]
    public void Reconcile_NewEntityId_IsHeldAsPendingAndItsCertificatesAreNotTrusted()
    {
        var plan = MetadataReconciler.Reconcile(Idp(Stored(Old)), Metadata(New) with { EntityId = "https://sts.windows.net/other/" }, Now, Grace);

        Assert.That(plan.Pending, Is.EqualTo(new PendingIdpChange("https://sts.windows.net/other/", SsoUrl, Now, false)));
        Assert.That(plan.PendingChanged, Is.True);
        Assert.That(plan.ChangesTrust, Is.False, "another entity's certificates wait for the administrator too");
        Assert.That(plan.Events.Single().Action, Is.EqualTo(AuditActions.IdpChangePending));
    }

    [Test]
    public void Reconcile_NewSsoUrlOnly_IsHeldButCertificatesStillRollOver()
    {
        var plan = MetadataReconciler.Reconcile(Idp(Stored(Old)), Metadata(Old, New) with { SsoTargetUrl = "https://login.microsoftonline.com/x/saml2" }, Now, Grace);

        Assert.That(plan.Pending?.SsoTargetUrl, Is.EqualTo("https://login.microsoftonline.com/x/saml2"));
        Assert.That(plan.Pending?.IdpEntityId, Is.EqualTo(EntityId));
        Assert.That(plan.Add.Select(c => c.ThumbprintSha256), Is.EqualTo(new[] { New.ThumbprintSha256 }));
    }

    [Test]
    public void Reconcile_SamePendingChangeSeenAgain_RaisesNoNewEvent()
    {
        var pending = new PendingIdpChange("https://sts.windows.net/other/", SsoUrl, Now.AddHours(-6), Dismissed: true);

        var plan = MetadataReconciler.Reconcile(Idp(pending, Stored(Old)), Metadata(Old) with { EntityId = "https://sts.windows.net/other/" }, Now, Grace);

        Assert.That(plan.PendingChanged, Is.False, "a dismissed change stays dismissed while the metadata names the same one");
        Assert.That(plan.Pending, Is.EqualTo(pending));
        Assert.That(plan.Events, Is.Empty);
    }

    [Test]
    public void Reconcile_MetadataBackToTrustedValues_WithdrawsThePendingChange()
    {
        var pending = new PendingIdpChange("https://sts.windows.net/other/", SsoUrl, Now.AddHours(-6), Dismissed: false);

        var plan = MetadataReconciler.Reconcile(Idp(pending, Stored(Old)), Metadata(Old), Now, Grace);

        Assert.That(plan.Pending, Is.Null);
        Assert.That(plan.PendingChanged, Is.True);
        Assert.That(plan.Events.Single().Action, Is.EqualTo(AuditActions.IdpChangeWithdrawn));
    }

    [Test]
    public void NextRefresh_WithoutHints_IsTheIntervalLessAtMostATenth()
    {
        var interval = TimeSpan.FromHours(6);

        Assert.That(MetadataReconciler.NextRefresh(Metadata(Old), Now, interval, 0), Is.EqualTo(Now + interval));
        Assert.That(MetadataReconciler.NextRefresh(Metadata(Old), Now, interval, 0.999), Is.GreaterThan(Now + (interval * 0.9)));
        Assert.That(MetadataReconciler.NextRefresh(Metadata(Old), Now, interval, 0.5), Is.LessThan(Now + interval));
    }

    [Test]
    public void NextRefresh_ShortCacheDurationOrValidUntil_IsSooner()
    {
        var interval = TimeSpan.FromHours(6);

        Assert.That(MetadataReconciler.NextRefresh(Metadata(Old) with { CacheDuration = TimeSpan.FromHours(1) }, Now, interval, 0),
            Is.EqualTo(Now.AddHours(1)));
        Assert.That(MetadataReconciler.NextRefresh(Metadata(Old) with { ValidUntil = Now.AddHours(2) }, Now, interval, 0),
            Is.EqualTo(Now.AddHours(2)));
        Assert.That(MetadataReconciler.NextRefresh(Metadata(Old) with { ValidUntil = Now.AddSeconds(5) }, Now, interval, 0),
            Is.EqualTo(Now + RolloverOptions.MinimumRefreshInterval), "never a refresh loop");
    }

    [Test]
    public void Parse_ReadsValidUntilAndCacheDuration()
    {
        var xml = Acs.Testing.TestIdp.EntraMetadata.Build(Guid.NewGuid(), TestCertificates.CreateValid())
            .Replace("<EntityDescriptor ", "<EntityDescriptor validUntil=\"2026-03-02T00:00:00Z\" cacheDuration=\"PT1H30M\" ", StringComparison.Ordinal);

        var parsed = IdpMetadataParser.Parse(System.Text.Encoding.UTF8.GetBytes(xml));

        Assert.That(parsed.Metadata?.ValidUntil, Is.EqualTo(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero)));
        Assert.That(parsed.Metadata?.CacheDuration, Is.EqualTo(TimeSpan.FromMinutes(90)));
    }

    private static TrustedCertificate Trusted(string name) => TrustedCertificate.FromDer(TestCertificates.CreateValid(name).RawData);

    private static IdpCertificate Stored(TrustedCertificate c, DateTimeOffset? leftAt = null) =>
        new(c.ThumbprintSha256, c.ThumbprintSha1, c.Der, c.Subject, c.NotBefore, c.NotAfter, Now.AddDays(-30)) { LeftMetadataAt = leftAt };

    private static TrustedIdp Idp(params IdpCertificate[] certificates) => new(EntityId, SsoUrl, certificates, null);

    private static TrustedIdp Idp(PendingIdpChange pending, params IdpCertificate[] certificates) => new(EntityId, SsoUrl, certificates, pending);

    private static IdpMetadata Metadata(params TrustedCertificate[] certificates) => new(EntityId, SsoUrl, certificates);
}
