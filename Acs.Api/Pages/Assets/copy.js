// Copy buttons of the administration pages: each copies the text of the element its data-copy names.
for (const button of document.querySelectorAll("button[data-copy]")) {
    button.addEventListener("click", async () => {
        const text = document.getElementById(button.dataset.copy)?.textContent ?? "";
        try {
            await navigator.clipboard.writeText(text);
            button.textContent = "Copied";
        } catch {
            button.textContent = "Select and copy";
        }
        setTimeout(() => { button.textContent = "Copy"; }, 2000);
    });
}
