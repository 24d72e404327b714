using Acs.Api.Hosting;
using Acs.Core.Retention;

namespace Acs.Api.Retention;

/// <summary>Purges expired consumed assertions, sessions and sign-in requests, and login events past their retention.</summary>
public sealed class ExpiredDataPurgeService(IExpiredDataPurger purger, AcsSettings settings, TimeProvider time,
    ILogger<ExpiredDataPurgeService> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                var now = time.GetUtcNow();
                var removed = await purger.PurgeAsync(now, now.AddDays(-settings.LoginEventRetentionDays), stoppingToken);
                if (removed > 0)
                {
                    logger.LogInformation("Purged {Count} expired rows (consumed assertions, sessions, requests, old login events)", removed);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database may be away; the next round tries again.
                logger.LogWarning("Purging expired rows failed: {Reason}", ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
