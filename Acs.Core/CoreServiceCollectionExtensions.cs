using Acs.Core.EncryptionKeys;
using Acs.Core.Login;
using Acs.Core.LoginEvents;
using Acs.Core.Manage;
using Acs.Core.Members;
using Acs.Core.Saml.Validation;
using Acs.Core.Telemetry;
using Acs.Core.Tenants;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Acs.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>Registers the decision-making services: SAML validation, provisioning rules, the login use case.</summary>
    public static IServiceCollection AddAcsCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new LoginOptions(TimeSpan.FromHours(8)));
        services.TryAddSingleton<AcsMetrics>();
        services.AddSingleton<CertificateExpiryCensus>();
        services.AddSingleton<SamlResponseValidator>();
        services.AddSingleton<LoginService>();
        services.AddSingleton<TenantAdministration>();
        services.AddSingleton<MemberAdministration>();
        services.AddSingleton<LoginEventLog>();
        services.AddSingleton<SsoAdministration>();
        services.TryAddSingleton(ManageOptions.Default);
        services.AddSingleton<SetupLinkAdministration>();
        services.AddSingleton<SignInLog>();
        // The host replaces the empty ring with the operator's key-encryption keys.
        services.TryAddSingleton(KeyEncryptionKeyRing.None);
        services.AddSingleton<SpDecryptionKeys>();
        services.AddSingleton<EncryptionKeyAdministration>();
        services.AddSingleton<KeyEncryptionKeyRotation>();
        return services;
    }
}
