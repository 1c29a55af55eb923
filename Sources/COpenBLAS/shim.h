// Debian's libopenblas-dev installs cblas.h under /usr/include/x86_64-linux-gnu (alternatives); pkg-config
// `openblas` adds the include path. It also declares openblas_set_num_threads / openblas_get_corename.
#include <cblas.h>
