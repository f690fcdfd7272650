/* cli/native/build.sh: the locale record SubstrateVM 25's LocaleCHelper reads (field names from its Java interface). */
#define SVM_LOCALE_INITIALIZATION_USE_DEFAULT 0
#define SVM_LOCALE_INITIALIZATION_SUCCEEDED 1
#define SVM_LOCALE_INITIALIZATION_OUT_OF_MEMORY 2
typedef struct {
  char *format_language; char *format_script; char *format_country; char *format_variant;
  char *display_language; char *display_script; char *display_country; char *display_variant;
} svm_locale_props_t;
