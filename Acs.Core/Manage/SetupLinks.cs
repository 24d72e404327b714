using Acs.Core.Administration;
using Acs.Core.Sessions;
using Acs.Core.Tenants;

namespace Acs.Core.Manage;

/// <summary>A setup link as the operator sees it; the token itself exists only in the URL handed out once.</summary>
public sealed record SetupLink(Guid Id, Guid TenantId, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt)
{
    public string StatusAt(DateTimeOffset now) =>
        RevokedAt is not null ? SetupLinkStatuses.Revoked : ExpiresAt <= now ? SetupLinkStatuses.Expired : SetupLinkStatuses.Active;
}

public static class SetupLinkStatuses
{
    public const string Active = "active";
    public const string Expired = "expired";
    public const string Revoked = "revoked";
}

/// <summary>A new link: the stored facts and the token for the URL (shown to the operator once, never stored).</summary>
public sealed record CreatedSetupLink(SetupLink Link, string Token);

/// <summary>A browser's setup session: for one tenant, opened from one link, for a few hours.</summary>
public sealed record SetupSession(Guid TenantId, Guid SetupLinkId, DateTimeOffset ExpiresAt);

/// <summary>How long links and the sessions they open last.</summary>
public sealed record ManageOptions(TimeSpan SetupLinkLifetime, TimeSpan SetupSessionLifetime)
{
    public static readonly TimeSpan DefaultSetupLinkLifetime = TimeSpan.FromDays(7);

    /// <summary>Hours, not days: a setup session is not tied to a person, so it should not outlive a working session.</summary>
    public static readonly TimeSpan DefaultSetupSessionLifetime = TimeSpan.FromHours(4);

    public static ManageOptions Default { get; } = new(DefaultSetupLinkLifetime, DefaultSetupSessionLifetime);
}

/// <summary>The outcome of opening a setup link on a tenant's site.</summary>
public enum SetupLinkOpening
{
    Opened,
    /// <summary>Not a token this service issued (or one whose tenant was deleted).</summary>
    Unknown,
    Expired,
    Revoked,
    /// <summary>The link belongs to another company's site.</summary>
    OtherTenant,
}

public sealed record SetupLinkOpenResult(SetupLinkOpening Outcome, string? SessionToken = null, DateTimeOffset? SessionExpiresAt = null);

/// <summary>Stores setup links and setup sessions (only token hashes); every call but the token lookup is scoped to a tenant.</summary>
public interface ISetupLinkStore
{
    Task CreateAsync(SetupLink link, byte[] tokenHash, CancellationToken cancellationToken);

    /// <summary>The tenant's links, newest first.</summary>
    Task<IReadOnlyList<SetupLink>> ListAsync(Guid tenantId, CancellationToken cancellationToken);

    /// <summary>Any tenant's link with this token hash: the caller decides whether it belongs to the site it was opened on.</summary>
    Task<SetupLink?> FindByTokenHashAsync(byte[] tokenHash, CancellationToken cancellationToken);

    /// <summary>Marks the link revoked and ends its sessions in one transaction. False when the tenant has no such link.</summary>
    Task<bool> RevokeAsync(Guid tenantId, Guid linkId, DateTimeOffset now, CancellationToken cancellationToken);

    Task OpenSessionAsync(Guid tenantId, Guid linkId, byte[] sessionTokenHash, DateTimeOffset now, DateTimeOffset expiresAt,
        CancellationToken cancellationToken);

    /// <summary>The unexpired session of this tenant whose link is neither revoked nor expired.</summary>
    Task<SetupSession?> FindSessionAsync(Guid tenantId, byte[] sessionTokenHash, DateTimeOffset now, CancellationToken cancellationToken);

    Task EndSessionAsync(Guid tenantId, byte[] sessionTokenHash, CancellationToken cancellationToken);
}

/// <summary>Setup links: the operator creates, lists and revokes them; a company's administrator opens one.</summary>
public sealed class SetupLinkAdministration(ISetupLinkStore store, ITenantAdminStore tenants, ManageOptions options, TimeProvider clock)
{
    public const string SetupLinkNotFound = "setup_link_not_found";

    public async Task<AdminResult<CreatedSetupLink>> CreateAsync(string subdomain, CancellationToken cancellationToken)
    {
        if (await FindTenantAsync(subdomain, cancellationToken) is not { } tenantId)
        {
            return AdminErrorCodes.TenantNotFoundError(subdomain);
        }

        var now = clock.GetUtcNow();
        var (token, hash) = SessionTokens.Create();
        var link = new SetupLink(Guid.NewGuid(), tenantId, now, now + options.SetupLinkLifetime, RevokedAt: null);
        await store.CreateAsync(link, hash, cancellationToken);
        return AdminResult<CreatedSetupLink>.Ok(new CreatedSetupLink(link, token));
    }

    public async Task<AdminResult<IReadOnlyList<SetupLink>>> ListAsync(string subdomain, CancellationToken cancellationToken) =>
        await FindTenantAsync(subdomain, cancellationToken) is { } tenantId
            ? AdminResult<IReadOnlyList<SetupLink>>.Ok(await store.ListAsync(tenantId, cancellationToken))
            : AdminErrorCodes.TenantNotFoundError(subdomain);

    public async Task<AdminError?> RevokeAsync(string subdomain, Guid linkId, CancellationToken cancellationToken)
    {
        if (await FindTenantAsync(subdomain, cancellationToken) is not { } tenantId)
        {
            return AdminErrorCodes.TenantNotFoundError(subdomain);
        }

        return await store.RevokeAsync(tenantId, linkId, clock.GetUtcNow(), cancellationToken)
            ? null
            : new AdminError(AdminErrorKind.NotFound, SetupLinkNotFound, $"The tenant has no setup link with the id {linkId}.");
    }

    /// <summary>Opens a setup session on <paramref name="tenantId"/>'s site when the token is a live link of that very tenant.</summary>
    public async Task<SetupLinkOpenResult> OpenAsync(Guid tenantId, string? token, CancellationToken cancellationToken)
    {
        if (!SessionTokens.IsWellFormed(token) || await store.FindByTokenHashAsync(SessionTokens.Hash(token!), cancellationToken) is not { } link)
        {
            return new SetupLinkOpenResult(SetupLinkOpening.Unknown);
        }

        var now = clock.GetUtcNow();
        if (link.TenantId != tenantId)
        {
            return new SetupLinkOpenResult(SetupLinkOpening.OtherTenant);
        }

        switch (link.StatusAt(now))
        {
            case SetupLinkStatuses.Revoked:
                return new SetupLinkOpenResult(SetupLinkOpening.Revoked);
            case SetupLinkStatuses.Expired:
                return new SetupLinkOpenResult(SetupLinkOpening.Expired);
        }

        // The session never outlives the link that opened it.
        var expires = now + options.SetupSessionLifetime;
        if (link.ExpiresAt < expires)
        {
            expires = link.ExpiresAt;
        }

        var (sessionToken, sessionHash) = SessionTokens.Create();
        await store.OpenSessionAsync(tenantId, link.Id, sessionHash, now, expires, cancellationToken);
        return new SetupLinkOpenResult(SetupLinkOpening.Opened, sessionToken, expires);
    }

    public async Task<SetupSession?> FindSessionAsync(Guid tenantId, string? sessionToken, CancellationToken cancellationToken) =>
        SessionTokens.IsWellFormed(sessionToken)
            ? await store.FindSessionAsync(tenantId, SessionTokens.Hash(sessionToken!), clock.GetUtcNow(), cancellationToken)
            : null;

    public async Task EndSessionAsync(Guid tenantId, string? sessionToken, CancellationToken cancellationToken)
    {
        if (SessionTokens.IsWellFormed(sessionToken))
        {
            await store.EndSessionAsync(tenantId, SessionTokens.Hash(sessionToken!), cancellationToken);
        }
    }

    private async Task<Guid?> FindTenantAsync(string subdomain, CancellationToken cancellationToken) =>
        SubdomainRules.IsWellFormed(subdomain) ? await tenants.FindIdAsync(subdomain, cancellationToken) : null;
}
