namespace Acs.Core.Login;

/// <summary>Outstanding SP-initiated sign-in requests (AuthnRequests) of a tenant.</summary>
public interface IAuthnRequestStore
{
    Task SaveAsync(Guid tenantId, string requestId, string returnTo, DateTimeOffset createdAt, DateTimeOffset expiresAt,
        CancellationToken cancellationToken);

    Task<bool> IsOutstandingAsync(Guid tenantId, string requestId, DateTimeOffset now, CancellationToken cancellationToken);
}
