using Acs.Core.Certificates;
using Acs.Testing.Tenants;
using Acs.Testing.TestIdp;
using Dapper;
using Npgsql;

namespace Acs.Testing.Reliability;

/// <summary>
/// A tenant for reliability runs, shared by the tests and the load tool (tools/Acs.Reliability links this file): its
/// rows written with SQL, signed Entra-shaped responses addressed to it, and the consistency checks run after faults.
/// </summary>
public sealed class ReliabilitySite(string subdomain, string siteBaseUrl, TestIdpKeys keys, Func<DateTimeOffset> now)
{
    public string Subdomain => subdomain;

    /// <summary>e.g. https://acme.statuspage.io or http://acme.acs.localhost:8080 (no trailing slash).</summary>
    public string SiteBaseUrl => siteBaseUrl;

    public string AcsUrl => siteBaseUrl + "/sso/saml/consume";

    public TestIdpKeys Keys => keys;

    public static async Task<Guid> CreateTenantAsync(NpgsqlDataSource db, string subdomain, TrustedCertificate certificate)
    {
        var tenant = new SeedTenant(subdomain) { IdpEntityId = TestResponseBuilder.IdpEntityId, Certificates = [certificate] };
        return await TenantSeeder.InsertAsync(db, tenant);
    }

    /// <summary>An Entra-shaped response for one person, valid for this site at the site's "now", signed on Build.</summary>
    public TestResponseBuilder Response(string email, string objectId, SignMode sign = SignMode.Assertion)
    {
        var issued = now();
        var builder = new TestResponseBuilder
        {
            Destination = AcsUrl,
            Recipient = AcsUrl,
            Audience = siteBaseUrl + "/",
            NameId = email,
            IssueInstant = issued,
            NotBefore = issued.AddMinutes(-5),
            NotOnOrAfter = issued.AddHours(1),
            ConfirmationNotOnOrAfter = issued.AddMinutes(10),
            Sign = sign,
            AssertionSignature = new SignatureOptions { Keys = keys },
            ResponseSignature = new SignatureOptions { Keys = keys },
        };
        Replace(builder, TestResponseBuilder.ClaimEmail, email);
        Replace(builder, TestResponseBuilder.ClaimName, email);
        Replace(builder, TestResponseBuilder.ClaimObjectId, objectId);
        return builder;
    }

    /// <summary>A signed login for a distinct person: the n-th of a run.</summary>
    public string DistinctLoginBase64(int n, string run) =>
        Response($"user{n}.{run}@contoso.test", $"{run}-{n:D8}").BuildBase64();

    public static void Replace(TestResponseBuilder builder, string claim, string value)
    {
        builder.Attributes.RemoveAll(a => a.Key == claim);
        builder.Attributes.Add(new(claim, value));
    }

    /// <summary>
    /// SQL checks for half-written logins, each returning the number of offending rows (all must be 0): a login commits
    /// its consumed assertion, member, session and success event together, or nothing of them.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ConsistencyChecks = new Dictionary<string, string>
    {
        ["sessions without their member"] = """
            SELECT count(*) FROM sessions s WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.id = s.member_id AND m.tenant_id = s.tenant_id)
            """,
        ["success events without a session of their member"] = """
            SELECT count(*) FROM login_events e WHERE e.outcome = 'success'
              AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.member_id = e.member_id AND s.tenant_id = e.tenant_id AND s.created_at = e.occurred_at)
            """,
        ["success events without their consumed assertion"] = """
            SELECT count(*) FROM login_events e WHERE e.outcome = 'success'
              AND NOT EXISTS (SELECT 1 FROM consumed_assertions c WHERE c.tenant_id = e.tenant_id AND c.assertion_id = e.assertion_id)
            """,
        ["consumed assertions without a success event"] = """
            SELECT count(*) FROM consumed_assertions c WHERE NOT EXISTS
              (SELECT 1 FROM login_events e WHERE e.tenant_id = c.tenant_id AND e.assertion_id = c.assertion_id AND e.outcome = 'success')
            """,
        ["sessions without a success event"] = """
            SELECT count(*) FROM sessions s WHERE NOT EXISTS
              (SELECT 1 FROM login_events e WHERE e.tenant_id = s.tenant_id AND e.member_id = s.member_id AND e.outcome = 'success'
                 AND e.occurred_at = s.created_at)
            """,
        ["JIT members that never signed in"] = """
            SELECT count(*) FROM members m WHERE m.created_via = 'jit' AND NOT EXISTS
              (SELECT 1 FROM login_events e WHERE e.member_id = m.id AND e.outcome = 'success')
            """,
    };

    public static async Task<IReadOnlyDictionary<string, long>> CheckConsistencyAsync(NpgsqlDataSource db)
    {
        var results = new Dictionary<string, long>();
        await using var connection = await db.OpenConnectionAsync();
        foreach (var (name, sql) in ConsistencyChecks)
        {
            results[name] = await connection.ExecuteScalarAsync<long>(sql);
        }

        return results;
    }
}
