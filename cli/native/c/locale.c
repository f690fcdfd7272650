/* cli/native/build.sh: POSIX locale name (ll_CC.charset@variant) to the Java locale parts SubstrateVM asks for. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include "svm_locale.h"
static svm_locale_props_t props;
static void parse(const char *name, char **lang, char **script, char **country, char **variant) {
  *lang = "en"; *script = ""; *country = ""; *variant = "";
  if (!name || !*name || !strcmp(name, "C") || !strcmp(name, "POSIX") || !strncmp(name, "C.", 2)) return;
  char *s = strdup(name); if (!s) return;
  char *at = strchr(s, '@'); if (at) { *at = 0; }
  char *dot = strchr(s, '.'); if (dot) *dot = 0;
  char *us = strchr(s, '_'); if (us) { *us = 0; *country = us + 1; }
  *lang = s;
}
int svm_initialize_locale(void) {
  setlocale(LC_ALL, "");
  parse(setlocale(LC_CTYPE, NULL), &props.format_language, &props.format_script, &props.format_country, &props.format_variant);
#ifdef LC_MESSAGES
  parse(setlocale(LC_MESSAGES, NULL), &props.display_language, &props.display_script, &props.display_country, &props.display_variant);
#else
  props.display_language = props.format_language; props.display_script = props.format_script;
  props.display_country = props.format_country; props.display_variant = props.format_variant;
#endif
  return SVM_LOCALE_INITIALIZATION_SUCCEEDED;
}
svm_locale_props_t *svm_get_locale(void) { return &props; }
