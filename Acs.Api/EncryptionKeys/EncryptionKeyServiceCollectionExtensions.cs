using Acs.Api.Hosting;
using Acs.Core.EncryptionKeys;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Acs.Api.EncryptionKeys;

public static class EncryptionKeyServiceCollectionExtensions
{
    /// <summary>The operator's key-encryption keys for Core, and the start-up re-seal after a rotation.</summary>
    public static IServiceCollection AddAcsEncryptionKeys(this IServiceCollection services, AcsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.Replace(ServiceDescriptor.Singleton(settings.KeyEncryption.ToRing()));
        services.AddHostedService<EncryptionKeyResealService>();
        return services;
    }
}
