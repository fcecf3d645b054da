import { createApp } from 'vue'
import 'element-plus/dist/index.css'
import 'maplibre-gl/dist/maplibre-gl.css'
import './styles.css'
import App from './App.vue'

createApp(App).mount('#app')
