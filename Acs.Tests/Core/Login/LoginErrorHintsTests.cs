using System.Reflection;
using Acs.Core.Login;
using Acs.Core.Saml.Validation;

namespace Acs.Tests.Core.Login;

/// <summary>Every refusal code tells the administrator what to do and on which side: a new code without one fails here.</summary>
public sealed class LoginErrorHintsTests
{
    private static IEnumerable<string> AllCodes() =>
        new[] { typeof(SamlErrorCodes), typeof(LoginErrorCodes) }
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!);

    [Test]
    public void TheCodeList_IsFoundByReflection() =>
        Assert.That(AllCodes().ToList(), Has.Member(SamlErrorCodes.InResponseToUnexpected).And.Member(LoginErrorCodes.TenantUnknown)
            .And.Count.GreaterThan(40));

    [TestCaseSource(nameof(AllCodes))]
    public void EveryCode_HasAHintAndASideToFixIt(string code)
    {
        var hint = LoginErrorHints.Of(code);

        Assert.That(hint, Is.Not.Null, $"{code} has no hint in LoginErrorHints");
        Assert.That(hint!.Text, Has.Length.GreaterThan(30));
        Assert.That(Enum.IsDefined(hint.Side), Is.True);
        Assert.That(LoginErrorHints.HintFor(code), Is.EqualTo(hint.Text));
        Assert.That(LoginErrorHints.SideOf(code), Is.EqualTo(hint.Side));
    }

    [Test]
    public void AnUnknownCode_HasNoHint() => Assert.That(LoginErrorHints.Of("no_such_code"), Is.Null);
}
