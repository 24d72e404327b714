using Acs.Core.Members;

namespace Acs.Core.Sessions;

/// <summary>A session and who it belongs to.</summary>
public sealed record SessionMember(Member Member, DateTimeOffset ExpiresAt);

public interface ISessionStore
{
    Task<SessionMember?> FindAsync(Guid tenantId, byte[] tokenHash, DateTimeOffset now, CancellationToken cancellationToken);

    Task EndAsync(Guid tenantId, byte[] tokenHash, CancellationToken cancellationToken);
}
