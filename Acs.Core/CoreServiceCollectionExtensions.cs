using Acs.Core.Login;
using Acs.Core.Saml;
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
        services.AddSingleton<SamlResponseValidator>();
        services.AddSingleton<LoginService>();
        return services;
    }
}
