using Acs.Core.Diagnosis;
using Acs.Core.EncryptionKeys;
using Acs.Core.Login;
using Acs.Core.LoginEvents;
using Acs.Core.Manage;
using Acs.Core.Members;
using Acs.Core.Rollover;
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
        services.AddSingleton<SignInDiagnostics>();
        services.AddSingleton<LoginService>();
        services.AddSingleton<TenantAdministration>();
        services.AddSingleton<MemberAdministration>();
        services.AddSingleton<LoginEventLog>();
        services.AddSingleton<SsoAdministration>();
        // The host replaces the defaults with the operator's settings.
        services.TryAddSingleton(RolloverOptions.Default);
        services.TryAddSingleton(CertificateExpiryOptions.Default);
        services.AddSingleton<MetadataRefresher>();
        services.AddSingleton<RolloverAdministration>();
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
