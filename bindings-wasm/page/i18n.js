// The page's own words in English and Spanish. The feedback messages themselves come from
// galton (the wasm module), in the language asked for; these are the labels around them.

export const LANGS = ['en', 'es'];

const TEXT = {
  en: {
    title: 'Capture quality',
    tagline: 'Fingerprint and face capture check',
    language: 'Language',
    mode: 'What is captured',
    mode_finger: 'Fingerprint',
    mode_face: 'Face',
    source: 'Source',
    choose_file: 'Choose image…',
    file_label: 'Image file',
    camera_start: 'Start camera',
    camera_stop: 'Stop camera',
    ppi: 'Resolution (ppi)',
    eyes_hint: 'Click the centre of each eye on the image to measure the face from the eyes.',
    eyes_clear: 'Clear eyes',
    eyes_set: 'Eyes set',
    eyes_one: 'Now click the other eye.',
    empty_title: 'No image yet',
    empty_body: 'Choose an image file or start the camera.',
    loading: 'Loading the quality engine…',
    engine_failed: 'The quality engine could not start',
    verdict: 'Verdict',
    verdict_none: 'Waiting for an image',
    verdict_pass: 'Good capture',
    verdict_fail: 'Retake',
    verdict_error: 'Cannot check this image',
    score: 'Quality score',
    messages: 'What to fix',
    no_messages: 'Nothing to fix.',
    measures: 'Checks',
    no_measures: 'Nothing to measure in this image.',
    pass: 'pass',
    fail: 'fail',
    timing: 'Timing',
    check_ms: 'check',
    minutiae_ms: 'minutiae',
    median: 'median',
    frames: 'frames',
    legend: 'Legend',
    legend_ending: 'ridge ending',
    legend_bifurcation: 'bifurcation',
    legend_other: 'other',
    legend_region: 'analysed region',
    legend_eyes: 'eyes',
    minutiae_count: (n) => `${n} minutiae`,
    frame_size: (w, h) => `${w} × ${h} px`,
    camera_error: 'The camera could not be started',
    privacy: 'Everything runs on this device: no image or result is sent anywhere.',
    offline_ready: 'Ready to work offline',
    update_ready: 'A new version is ready.',
    reload: 'Reload',
    stage_label: 'Captured image with the analysis drawn over it',
  },
  es: {
    title: 'Calidad de captura',
    tagline: 'Control de captura de huellas y rostros',
    language: 'Idioma',
    mode: 'Qué se captura',
    mode_finger: 'Huella',
    mode_face: 'Rostro',
    source: 'Origen',
    choose_file: 'Elegir imagen…',
    file_label: 'Archivo de imagen',
    camera_start: 'Iniciar cámara',
    camera_stop: 'Detener cámara',
    ppi: 'Resolución (ppp)',
    eyes_hint: 'Haga clic en el centro de cada ojo sobre la imagen para medir el rostro a partir de los ojos.',
    eyes_clear: 'Borrar ojos',
    eyes_set: 'Ojos marcados',
    eyes_one: 'Ahora haga clic en el otro ojo.',
    empty_title: 'Todavía no hay imagen',
    empty_body: 'Elija un archivo de imagen o inicie la cámara.',
    loading: 'Cargando el motor de calidad…',
    engine_failed: 'No se pudo iniciar el motor de calidad',
    verdict: 'Resultado',
    verdict_none: 'Esperando una imagen',
    verdict_pass: 'Captura correcta',
    verdict_fail: 'Repetir',
    verdict_error: 'No se puede evaluar esta imagen',
    score: 'Puntaje de calidad',
    messages: 'Qué corregir',
    no_messages: 'Nada que corregir.',
    measures: 'Controles',
    no_measures: 'No hay nada que medir en esta imagen.',
    pass: 'bien',
    fail: 'falla',
    timing: 'Tiempos',
    check_ms: 'control',
    minutiae_ms: 'minucias',
    median: 'mediana',
    frames: 'cuadros',
    legend: 'Leyenda',
    legend_ending: 'terminación',
    legend_bifurcation: 'bifurcación',
    legend_other: 'otra',
    legend_region: 'región analizada',
    legend_eyes: 'ojos',
    minutiae_count: (n) => `${n} minucias`,
    frame_size: (w, h) => `${w} × ${h} px`,
    camera_error: 'No se pudo iniciar la cámara',
    privacy: 'Todo se procesa en este equipo: ninguna imagen ni resultado se envía a ningún lugar.',
    offline_ready: 'Lista para funcionar sin conexión',
    update_ready: 'Hay una versión nueva lista.',
    reload: 'Recargar',
    stage_label: 'Imagen capturada con el análisis dibujado encima',
  },
};

// The names of galton's quality measures (the `id` of each entry of `measures`).
const MEASURES = {
  en: {
    orientation_certainty: 'Ridge orientation certainty',
    local_clarity: 'Local clarity',
    frequency_domain: 'Ridge frequency',
    ridge_valley_ratio: 'Ridge/valley ratio',
    ridge_valley_uniformity: 'Ridge/valley uniformity',
    orientation_flow: 'Orientation flow',
    foreground_area: 'Finger area',
    position: 'Centring',
    gray_mean: 'Brightness',
    contrast: 'Contrast',
    minutiae: 'Minutiae',
    resolution: 'Resolution',
    inter_eye_distance: 'Distance between the eyes',
    luminance_mean: 'Brightness',
    luminance_variance: 'Contrast',
    under_exposure: 'Underexposure',
    over_exposure: 'Overexposure',
    dynamic_range: 'Dynamic range',
    sharpness: 'Sharpness',
    illumination_uniformity: 'Even lighting',
    specular_glare: 'Glare',
  },
  es: {
    orientation_certainty: 'Certeza de la orientación',
    local_clarity: 'Claridad local',
    frequency_domain: 'Frecuencia de crestas',
    ridge_valley_ratio: 'Proporción cresta/valle',
    ridge_valley_uniformity: 'Uniformidad cresta/valle',
    orientation_flow: 'Continuidad de la orientación',
    foreground_area: 'Superficie del dedo',
    position: 'Centrado',
    gray_mean: 'Brillo',
    contrast: 'Contraste',
    minutiae: 'Minucias',
    resolution: 'Resolución',
    inter_eye_distance: 'Distancia entre los ojos',
    luminance_mean: 'Brillo',
    luminance_variance: 'Contraste',
    under_exposure: 'Subexposición',
    over_exposure: 'Sobreexposición',
    dynamic_range: 'Rango dinámico',
    sharpness: 'Nitidez',
    illumination_uniformity: 'Iluminación pareja',
    specular_glare: 'Reflejos',
  },
};

/** The text of `key` in `lang` (a function of `args` for the few that take numbers). */
export function t(lang, key, ...args) {
  const entry = TEXT[lang]?.[key] ?? TEXT.en[key] ?? key;
  return typeof entry === 'function' ? entry(...args) : entry;
}

/** The label of a quality measure; an unknown id is shown as itself, readably. */
export function measureName(lang, id) {
  return MEASURES[lang]?.[id] ?? MEASURES.en[id] ?? id.replaceAll('_', ' ');
}

/** Fills every `[data-i18n]` element's text and every `[data-i18n-aria]` element's label. */
export function translatePage(lang) {
  document.documentElement.lang = lang;
  document.title = `galton · ${t(lang, 'title')}`;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(lang, el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-aria]')) {
    el.setAttribute('aria-label', t(lang, el.dataset.i18nAria));
  }
}

/** The language to start in: the one chosen before, else the browser's, else English. */
export function initialLang() {
  try {
    const saved = localStorage.getItem('galton.lang');
    if (LANGS.includes(saved)) return saved;
  } catch {
    // Storage may be disabled; the browser's language then decides.
  }
  return (navigator.language || 'en').toLowerCase().startsWith('es') ? 'es' : 'en';
}

export function saveLang(lang) {
  try {
    localStorage.setItem('galton.lang', lang);
  } catch {
    // Not remembered; nothing else depends on it.
  }
}
