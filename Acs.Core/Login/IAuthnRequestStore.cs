namespace Acs.Core.Login;

/// <summary>SP-initiated requests this service issued; a sign-in consumes its request in <see cref="ILoginStore"/>.</summary>
public interface IAuthnRequestStore
{
    Task SaveAsync(Guid tenantId, string requestId, string returnTo, DateTimeOffset createdAt, DateTimeOffset expiresAt,
        CancellationToken cancellationToken);
}
