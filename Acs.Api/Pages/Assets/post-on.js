// Posts the page's only form on load, as an IdP's response page does; without scripts its button does the same.
document.forms[0].submit();
