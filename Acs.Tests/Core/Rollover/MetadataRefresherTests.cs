using System.Text;
using Acs.Core.Audit;
using Acs.Core.Rollover;
using Acs.Core.Telemetry;
using Acs.Core.Tenants;
using Acs.Testing.Certificates;
using Acs.Testing.TestIdp;
using Microsoft.Extensions.Time.Testing;

namespace Acs.Tests.Core.Rollover;

/// <summary>The refresh use case over in-memory ports: what a failure leaves alone, and that one tenant cannot stop a round.</summary>
public sealed class MetadataRefresherTests
{
    private static readonly RolloverOptions Options = RolloverOptions.Default with { AllowedHosts = ["idp.example.com"] };
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Test]
    public async Task Refresh_WhenTheFetchFails_RecordsTheFailureAndWritesNoCertificate()
    {
        var store = new FakeStore();
        var tenant = store.Add("acme");
        var refresher = new MetadataRefresher(store, new FakeSource(_ => MetadataFetchResult.Fail(MetadataFetchErrorCodes.HttpStatus, "500")), Options,
            new AcsMetrics(), _clock);

        var outcome = await refresher.RefreshAsync(tenant, "acme", "https://idp.example.com/acme", CancellationToken.None);

        Assert.That(outcome.Outcome, Is.EqualTo(RefreshOutcomes.Failed));
        Assert.That(store.Applied, Is.Empty, "the trusted certificates are not touched");
        Assert.That(store.Failures.Single(), Is.EqualTo((tenant, MetadataFetchErrorCodes.HttpStatus, _clock.GetUtcNow() + RolloverOptions.RetryAfterFailure)));
    }

    [Test]
    public async Task Refresh_UrlNoLongerAllowListed_IsRefusedWithoutAFetch()
    {
        var store = new FakeStore();
        var tenant = store.Add("acme");
        var fetched = 0;
        var refresher = new MetadataRefresher(store, new FakeSource(_ =>
        {
            fetched++;
            return MetadataFetchResult.Fail("unexpected", "unexpected");
        }), Options, new AcsMetrics(), _clock);

        var outcome = await refresher.RefreshAsync(tenant, "acme", "https://other.example.com/acme", CancellationToken.None);

        Assert.That(outcome.ErrorCode, Is.EqualTo(MetadataUrlRules.HostNotAllowed));
        Assert.That(fetched, Is.Zero);
    }

    [Test]
    public async Task RefreshDue_WhenOneTenantCannotBeStored_RefreshesTheOthers()
    {
        var store = new FakeStore();
        var broken = store.Add("broken");
        var fine = store.Add("fine");
        store.ThrowOnApply = broken;
        var xml = Encoding.UTF8.GetBytes(EntraMetadata.Build(Guid.NewGuid(), TestCertificates.CreateValid()));
        var refresher = new MetadataRefresher(store, new FakeSource(_ => MetadataFetchResult.Ok(xml)), Options, new AcsMetrics(), _clock);

        var round = await refresher.RefreshDueAsync(CancellationToken.None);

        Assert.That(round.Outcomes.Select(o => (o.Subdomain, o.Outcome)), Is.EquivalentTo(new[]
        {
            ("broken", RefreshOutcomes.Failed),
            ("fine", RefreshOutcomes.PendingChange), // the fake tenant's entity ID differs from the metadata's
        }));
        Assert.That(store.Applied, Is.EqualTo(new[] { fine }));
    }

    private sealed class FakeSource(Func<Uri, MetadataFetchResult> fetch) : IMetadataSource
    {
        public Task<MetadataFetchResult> FetchAsync(Uri url, CancellationToken cancellationToken) => Task.FromResult(fetch(url));
    }

    private sealed class FakeStore : IRolloverStore
    {
        private readonly Dictionary<Guid, (string Subdomain, DateTimeOffset Next)> _sources = [];

        public List<Guid> Applied { get; } = [];

        public List<(Guid, string, DateTimeOffset)> Failures { get; } = [];

        public Guid? ThrowOnApply { get; set; }

        public Guid Add(string subdomain)
        {
            var id = Guid.NewGuid();
            _sources[id] = (subdomain, DateTimeOffset.MinValue);
            return id;
        }

        public Task<IAsyncDisposable?> TryAcquireLeaseAsync(CancellationToken cancellationToken) => Task.FromResult<IAsyncDisposable?>(new Lease());

        public Task<IReadOnlyList<DueMetadataSource>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<DueMetadataSource>>(_sources.Where(s => s.Value.Next <= now)
                .Select(s => new DueMetadataSource(s.Key, s.Value.Subdomain, $"https://idp.example.com/{s.Value.Subdomain}")).Take(limit).ToList());

        public Task<MetadataSourceState?> FindSourceAsync(Guid tenantId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<(TrustedIdp? Idp, long ConfigVersion)> ReadTrustedAsync(Guid tenantId, CancellationToken cancellationToken)
        {
            var certificate = TestCertificates.CreateValid("Stored");
            var stored = new IdpCertificate(TestCertificates.Sha256(certificate), TestCertificates.Sha1(certificate), certificate.RawData, "CN=Stored",
                certificate.NotBefore, certificate.NotAfter, DateTimeOffset.UnixEpoch);
            return Task.FromResult<(TrustedIdp?, long)>((new TrustedIdp("https://idp.example.com/", "https://idp.example.com/sso", [stored], null), 1));
        }

        public Task<bool> ApplyRefreshAsync(Guid tenantId, long expectedConfigVersion, RolloverPlan plan, RefreshTimes times,
            IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
        {
            if (tenantId == ThrowOnApply)
            {
                throw new InvalidOperationException("the database refused the write");
            }

            Applied.Add(tenantId);
            _sources[tenantId] = (_sources[tenantId].Subdomain, times.NextRefreshAt);
            return Task.FromResult(true);
        }

        public Task RecordFailureAsync(Guid tenantId, DateTimeOffset at, string code, string message, DateTimeOffset nextRefreshAt,
            CancellationToken cancellationToken)
        {
            Failures.Add((tenantId, code, nextRefreshAt));
            _sources[tenantId] = (_sources[tenantId].Subdomain, nextRefreshAt);
            return Task.CompletedTask;
        }

        public Task SaveSourceAsync(Guid tenantId, string metadataUrl, RefreshTimes times, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> RemoveSourceAsync(Guid tenantId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> ApplyPendingAsync(Guid tenantId, PendingIdpChange expected, DateTimeOffset now, IReadOnlyList<AuditEvent> events,
            CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> DismissPendingAsync(Guid tenantId, PendingIdpChange expected, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        private sealed class Lease : IAsyncDisposable
        {
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
