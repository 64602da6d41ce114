// Deep Linking (issue #17): post the signed answer to the platform at once; without
// JavaScript, the teacher clicks the form's button « Ajouter à mon cours ».
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-autosubmit]");
  if (form) form.submit();
});
