namespace Acs.Core.Retention;

/// <summary>Removes what is no longer needed: expired consumed assertions, sessions and requests, and old login events.</summary>
public interface IExpiredDataPurger
{
    /// <param name="loginEventsBefore">Login events that occurred before this instant are past their retention.</param>
    Task<int> PurgeAsync(DateTimeOffset now, DateTimeOffset loginEventsBefore, CancellationToken cancellationToken);
}
