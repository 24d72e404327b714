using Acs.Core.EncryptionKeys;

namespace Acs.Api.EncryptionKeys;

/// <summary>
/// After a key-encryption key rotation (new key current, old ones listed as others), re-seals every private key still
/// sealed under an old one, once at start-up; it logs what it did, and any key no configured KEK opens.
/// </summary>
public sealed class EncryptionKeyResealService(KeyEncryptionKeyRotation rotation, KeyEncryptionKeyRing ring,
    ILogger<EncryptionKeyResealService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!ring.CanSeal)
        {
            return;
        }

        for (var attempt = 1; attempt <= 5 && !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                var (resealed, unreadable) = await rotation.ResealAsync(stoppingToken);
                if (resealed > 0)
                {
                    logger.LogInformation("Re-sealed {Count} SP private keys under the current key-encryption key {KekId}", resealed, ring.CurrentId);
                }

                if (unreadable > 0)
                {
                    logger.LogError(
                        "{Count} SP private keys are sealed under a key-encryption key that is not configured; those keys cannot decrypt. Add the old key to {Variable}__0..n",
                        unreadable, KeyEncryptionKeySettings.OthersVariable);
                }

                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database may be away at start-up; a later attempt, or the next start, finishes the job.
                logger.LogWarning("Re-sealing SP private keys failed (attempt {Attempt}): {Reason}", attempt, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(10 * attempt), stoppingToken);
            }
        }
    }
}
