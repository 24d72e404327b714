using Acs.Core.LoginEvents;
using Acs.Core.Members;
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
        services.AddSingleton<TenantAdministration>();
        services.AddSingleton<MemberAdministration>();
        services.AddSingleton<LoginEventLog>();
        services.AddSingleton<SsoAdministration>();
        return services;
    }
}
